#!/usr/bin/python3
"""A small CRI client, as the kubelet speaks to a container runtime.

    client.py PY_DIR SOCKET METHOD [REQUEST_JSON]

calls RuntimeService/METHOD (or ImageService/METHOD) of the CRI server on the
unix SOCKET with the request given as protobuf JSON (json_format: the proto's
field names, e.g. {"config": {"metadata": {"name": "p"}}}) and prints the
response as JSON.  PY_DIR holds api_pb2.py, made from api.proto beside this
file by `protoc --python_out=PY_DIR`.  A gRPC error prints its code and
message on stderr and exits 1.  Needs Debian's python3-grpcio and
python3-protobuf."""
import json
import sys

import grpc
from google.protobuf import json_format


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    py_dir, sock, method = sys.argv[1:4]
    sys.path.insert(0, py_dir)
    import api_pb2

    for service in api_pb2.DESCRIPTOR.services_by_name.values():
        m = service.methods_by_name.get(method)
        if m is not None:
            break
    else:
        sys.exit(f"client.py: no CRI method `{method}` in api.proto")
    req_cls = getattr(api_pb2, m.input_type.name)
    resp_cls = getattr(api_pb2, m.output_type.name)
    try:
        req = json_format.Parse(sys.argv[4] if len(sys.argv) == 5 else "{}", req_cls())
    except json_format.ParseError as e:
        sys.exit(f"client.py: {method}: bad request: {e}")
    with grpc.insecure_channel("unix:" + sock) as channel:
        call = channel.unary_unary(f"/{service.full_name}/{method}",
                                   request_serializer=req_cls.SerializeToString,
                                   response_deserializer=resp_cls.FromString)
        try:
            resp = call(req, timeout=120)
        except grpc.RpcError as e:
            print(f"client.py: {method}: {e.code().name}: {e.details()}", file=sys.stderr)
            sys.exit(1)
    print(json.dumps(json_format.MessageToDict(resp), sort_keys=True))


if __name__ == "__main__":
    main()
