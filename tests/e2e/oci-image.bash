# An OCI image archive from a root filesystem, for the podman and containerd tests.

# oci_archive ROOTFS OUT [NAME [ARCH [CONFIG]]]: an OCI image layout (one
# uncompressed layer) as a tar, named NAME (docker.io/mew/busybox:latest), for
# ARCH (amd64), with CONFIG as the image config's "config" object (PATH and
# Cmd /bin/sh).
oci_archive() {
	local dir blobs layer cfg man size_l size_c size_m
	local name=${3:-docker.io/mew/busybox:latest} arch=${4:-amd64}
	local config=${5:-'{"Env":["PATH=/bin:/sbin:/usr/bin"],"Cmd":["/bin/sh"]}'}
	dir=$(mktemp -d)
	blobs=$dir/blobs/sha256
	mkdir -p "$blobs"
	tar -C "$1" --numeric-owner -cf "$dir/layer.tar" .
	layer=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
	size_l=$(stat -c %s "$dir/layer.tar")
	mv "$dir/layer.tar" "$blobs/$layer"
	printf '{"architecture":"%s","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$arch" "$config" "$layer" >"$dir/config"
	cfg=$(sha256sum "$dir/config" | cut -d' ' -f1)
	size_c=$(stat -c %s "$dir/config")
	mv "$dir/config" "$blobs/$cfg"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
		"$cfg" "$size_c" "$layer" "$size_l" >"$dir/manifest"
	man=$(sha256sum "$dir/manifest" | cut -d' ' -f1)
	size_m=$(stat -c %s "$dir/manifest")
	mv "$dir/manifest" "$blobs/$man"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
		"$man" "$size_m" "$name" "${name##*:}" >"$dir/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	tar -C "$dir" -cf "$2" oci-layout index.json blobs
	rm -rf "$dir"
}
