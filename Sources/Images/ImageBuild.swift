import Foundation

/// The command that builds an environment image, stored as the build job's command and run
/// as stored: `/bin/sh -c SCRIPT build ARGS…`, or `… clean ARGS…` to remove what a failed or
/// killed build left. Builds take `STATE/images/build.lock` in turn, so that a build may
/// remove every working container and unfinished unpacking it finds: they are a dead
/// build's. The record is written last, atomically, while the lock is held.
public enum ImageBuild {
    static let script = #"""
        set -eu
        umask 022
        export PATH="${PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}"
        root=$1 hex=$2 context=$3 containerfile=$4 ca=$5 dockerfile=$6 base=$7 base_digest=$8
        shift 8
        ref="env-$hex"
        image="localhost/hekaton-env-$hex"
        record="$root/environments/$hex.json"
        work="$root/work/$hex"
        b() { buildah --root "$root/storage" --runroot "$root/run" --storage-driver vfs "$@"; }
        if [ "$0" = build ] && [ -f "$record" ]; then echo "environment sha256:$hex already built; reusing it"; exit 0; fi
        mkdir -p "$root/environments" "$root/rootfs" "$root/work" "$root/oci"
        chmod 0755 "$root" "$root/rootfs"
        exec 9>>"$root/build.lock"
        flock 9
        # What an earlier build of this environment, or any killed build, left behind.
        clean() {
          b rm --all >/dev/null 2>&1 || true
          for old in $(b images --noheading --format '{{.Name}}:{{.Tag}}' 2>/dev/null | grep '^localhost/hekaton-env-' || true); do
            b rmi -f "$old" >/dev/null 2>&1 || true
          done
          rm -rf "$root/rootfs/"*.partial "$record.tmp"
          if [ ! -f "$record" ]; then
            if [ -s "$work/digest" ]; then
              digest=$(cat "$work/digest")
              if ! grep -qs "\"manifestDigest\":\"$digest\"" "$root/environments/"*.json; then rm -rf "$root/rootfs/${digest#sha256:}"; fi
            fi
            if grep -qs "\"env-$hex\"" "$root/oci/index.json"; then
              umoci rm --image "$root/oci:$ref" && umoci gc --layout "$root/oci"
            fi
          fi
          rm -rf "$work"
        }
        if [ "$0" = clean ]; then clean; echo "removed what the build of environment sha256:$hex left"; exit 0; fi
        if [ -f "$record" ]; then echo "environment sha256:$hex already built; reusing it"; exit 0; fi
        clean
        trap 'status=$?; if [ "$status" != 0 ]; then clean; fi' EXIT
        trap 'exit 143' TERM INT
        mkdir -p "$work"
        # Each base the build names, as localhost/NAME:latest, so that FROM NAME resolves without a registry.
        while [ $# -ge 2 ]; do
          skopeo copy --quiet "$2" "containers-storage:[vfs@$root/storage+$root/run]localhost/$1:latest"
          shift 2
        done
        printf '%s' "$containerfile" > "$work/Containerfile"
        set -- --isolation chroot --pull=never --layers=false --format oci --cap-drop=CAP_SYS_CHROOT -f "$work/Containerfile" -t "$image"
        if [ -n "$ca" ]; then set -- "$@" --volume "$ca:/etc/ssl/certs/ca-certificates.crt:ro"; fi
        # RUN steps are participant code run as root: chroot isolation shares the host's
        # process table, so the build runs in PID, IPC and UTS namespaces of its own (its
        # RUN steps see and can signal only the build's processes); the network stays open.
        unshare --pid --fork --kill-child --mount-proc --ipc --uts -- \
          buildah --root "$root/storage" --runroot "$root/run" --storage-driver vfs build "$@" "$context"
        env=$(b inspect --type image --format '[{{range $i, $e := .OCIv1.Config.Env}}{{if $i}},{{end}}{{printf "%q" $e}}{{end}}]' "$image")
        wd=$(b inspect --type image --format '{{if .OCIv1.Config.WorkingDir}}{{printf "%q" .OCIv1.Config.WorkingDir}}{{else}}null{{end}}' "$image")
        b push --quiet --digestfile "$work/digest" "$image" "oci:$root/oci:$ref"
        digest=$(cat "$work/digest")
        mhex=${digest#sha256:}
        if [ ! -d "$root/rootfs/$mhex" ]; then
          umoci unpack --image "$root/oci:$ref" "$root/rootfs/$mhex.partial" >/dev/null
          # Readable by every stage's uid, writable by none.
          chmod 0755 "$root/rootfs/$mhex.partial"
          find "$root/rootfs/$mhex.partial/rootfs" -xdev -perm -0002 ! -type l -exec chmod o-w {} +
          mv "$root/rootfs/$mhex.partial" "$root/rootfs/$mhex"
        fi
        # The layout is the store: buildah's copy of the image goes.
        b rmi -f "$image" >/dev/null
        printf '{"key":"sha256:%s","manifestDigest":"%s","base":"%s","baseDigest":"%s","environment":%s,"workingDir":%s,"fromDockerfile":%s}\n' \
          "$hex" "$digest" "$base" "$base_digest" "$env" "$wd" "$dockerfile" > "$record.tmp"
        mv "$record.tmp" "$record"
        rm -rf "$work"
        trap - EXIT
        echo "environment sha256:$hex built: image $digest"
        """#

    /// Where builds find the host's certificates, so that a TLS-intercepting proxy the host
    /// trusts is trusted inside the build too; nil when the host has none there.
    public static let hostCABundle = "/etc/ssl/certs/ca-certificates.crt"

    /// Builds `recipe` with the bundle directory `context` as the build context.
    public static func argv(_ store: ImageStore, _ recipe: EnvironmentRecipe, context: String, caBundle: String?) -> [String] {
        var argv = ["/bin/sh", "-c", script, "build", store.root, ImageStore.hex(recipe.key), context, recipe.containerfile,
                    caBundle ?? "", recipe.fromDockerfile ? "true" : "false", recipe.base.name, recipe.base.manifestDigest]
        for base in recipe.bases { argv += [base.name, base.transportName] }
        return argv
    }

    /// The same command removing what a build left (after it failed or was killed).
    public static func cleanArgv(_ build: [String]) -> [String]? {
        guard isImageBuild(build) else { return nil }
        var argv = build
        argv[3] = "clean"
        return argv
    }

    public static func isImageBuild(_ argv: [String]) -> Bool {
        argv.count >= 12 && argv[0] == "/bin/sh" && argv[2] == script
    }

    /// The key an image build's command builds.
    public static func key(of argv: [String]) -> String? {
        isImageBuild(argv) ? "sha256:" + argv[5] : nil
    }

    /// What buildah reports of the step that failed (`building at STEP "RUN false": exit status 1`).
    public static func failedStep(inLog log: String) -> (step: String, error: String)? {
        let marker = "building at STEP \""
        guard let start = log.range(of: marker, options: .backwards) else { return nil }
        let rest = log[start.upperBound...]
        guard let close = rest.range(of: "\": ") else { return nil }
        let step = String(rest[..<close.lowerBound])
        let error = rest[close.upperBound...].prefix { $0 != "\n" }
        return (step, String(error.prefix(300)))
    }
}
