#!/usr/bin/env python3
"""Build container images for the image tests, without any registry or tool:
an OCI image layout (or an oci-archive / docker-archive of it) from layer
directories or ready tars, and hostile layer tars.

  mkimage.py OUT [--arch A] [--tag T] [--cmd JSON] [--entrypoint JSON]
             [--env K=V]... [--workdir W] [--user U] [--gzip]
             [--format oci|oci-archive|docker-archive] LAYER...
      LAYER is a directory (tarred with numeric owners) or a .tar file.
      An existing OCI layout at OUT gets one more tagged manifest.
  mkimage.py --hostile KIND OUT.tar ESCAPE
      ESCAPE is the absolute directory outside that the entries aim at.
      KIND: dotdot, absolute, symlink-dir (a symlink to a directory outside),
      through-symlink (a file written through that symlink), hardlink-out,
      device, fifo, xattrs (user.* kept; trusted.overlay.* and mew's own not)
"""
import argparse, gzip, hashlib, io, json, os, shutil, sys, tarfile, tempfile


def sha(data):
    return hashlib.sha256(data).hexdigest()


def tar_dir(path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for root, dirs, files in os.walk(path):
            dirs.sort()
            rel = os.path.relpath(root, path)
            for name in sorted(dirs) + sorted(files):
                full = os.path.join(root, name)
                arc = name if rel == "." else os.path.join(rel, name)
                t.add(full, arcname=arc, recursive=False)
    return buf.getvalue()


def hostile(kind, out, esc):
    up = "../" * 16 + esc.lstrip("/")
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        def add(name, typ=tarfile.REGTYPE, data=b"", **kw):
            ti = tarfile.TarInfo(name)
            ti.type = typ
            ti.size = len(data) if typ == tarfile.REGTYPE else 0
            ti.mode = kw.pop("mode", 0o644)
            for k, v in kw.items():
                setattr(ti, k, v)
            t.addfile(ti, io.BytesIO(data) if typ == tarfile.REGTYPE else None)
        add("ok-before", data=b"fine\n")
        if kind == "dotdot":
            add(up + "/dotdot", data=b"escaped\n")
        elif kind == "absolute":
            add(esc + "/absolute", data=b"escaped\n")
        elif kind == "symlink-dir":
            add("evil", tarfile.SYMTYPE, linkname=esc)
            add("evil2", tarfile.SYMTYPE, linkname=up)
        elif kind == "through-symlink":
            add("evil/through-abs", data=b"escaped\n")
        elif kind == "through-symlink2":
            add("evil2/through-rel", data=b"escaped\n")
        elif kind == "hardlink-out":
            add("link", tarfile.LNKTYPE, linkname=up + "/victim")
        elif kind == "device":
            add("dev/sda-from-image", tarfile.BLKTYPE, devmajor=8, devminor=0, mode=0o666)
            add("dev/mem-from-image", tarfile.CHRTYPE, devmajor=1, devminor=1, mode=0o666)
        elif kind == "fifo":
            add("fifo", tarfile.FIFOTYPE)
        elif kind == "xattrs":
            ti = tarfile.TarInfo("xattr-file")
            ti.size = 2
            ti.pax_headers = {"SCHILY.xattr.user.mewtest": "kept",
                              "SCHILY.xattr.trusted.overlay.opaque": "y",
                              "SCHILY.xattr.user.mew.owner": "0:0"}
            t.addfile(ti, io.BytesIO(b"x\n"))
        else:
            sys.exit("unknown kind " + kind)
        add("ok-after", data=b"fine\n")


def blob(blobs, data):
    d = sha(data)
    with open(os.path.join(blobs, d), "wb") as f:
        f.write(data)
    return d


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--hostile":
        hostile(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("layers", nargs="+")
    p.add_argument("--arch", default="amd64")
    p.add_argument("--tag", default="latest")
    p.add_argument("--cmd")
    p.add_argument("--entrypoint")
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--workdir")
    p.add_argument("--user")
    p.add_argument("--gzip", action="store_true")
    p.add_argument("--format", default="oci")
    a = p.parse_args()

    work = a.out if a.format == "oci" else tempfile.mkdtemp()
    blobs = os.path.join(work, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    diff_ids, layers, raw = [], [], []
    for l in a.layers:
        data = tar_dir(l) if os.path.isdir(l) else open(l, "rb").read()
        diff_ids.append("sha256:" + sha(data))
        raw.append(data)
        if a.gzip:
            data = gzip.compress(data, 1)
        d = blob(blobs, data)
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if a.gzip else ""),
                       "digest": "sha256:" + d, "size": len(data)})
    cfg = {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] + a.env}
    if a.cmd: cfg["Cmd"] = json.loads(a.cmd)
    if a.entrypoint: cfg["Entrypoint"] = json.loads(a.entrypoint)
    if a.workdir: cfg["WorkingDir"] = a.workdir
    if a.user: cfg["User"] = a.user
    config = json.dumps({"architecture": a.arch, "os": "linux", "config": cfg,
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    cd = blob(blobs, config)
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                 "digest": "sha256:" + cd, "size": len(config)},
                      "layers": layers}).encode()
    md = blob(blobs, man)
    idx_path = os.path.join(work, "index.json")
    idx = json.load(open(idx_path)) if os.path.exists(idx_path) else {"schemaVersion": 2, "manifests": []}
    idx["manifests"] = [m for m in idx["manifests"]
                        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != a.tag]
    idx["manifests"].append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                             "digest": "sha256:" + md, "size": len(man),
                             "annotations": {"org.opencontainers.image.ref.name": a.tag}})
    json.dump(idx, open(idx_path, "w"))
    with open(os.path.join(work, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    if a.format == "oci-archive":
        with tarfile.open(a.out, "w") as t:
            for n in ("oci-layout", "index.json", "blobs"):
                t.add(os.path.join(work, n), arcname=n)
    elif a.format == "docker-archive":
        with tarfile.open(a.out, "w") as t:
            def put(name, data):
                ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = 0o644
                t.addfile(ti, io.BytesIO(data))
            names = []
            for i, data in enumerate(raw):
                n = sha(data) + "/layer.tar"
                names.append(n)
                put(n, data)
            put(cd + ".json", config)
            put("manifest.json", json.dumps([{"Config": cd + ".json", "RepoTags": ["localhost/mew-test:" + a.tag],
                                              "Layers": names}]).encode())
    if work != a.out:
        shutil.rmtree(work)
    print("sha256:" + md)


main()
