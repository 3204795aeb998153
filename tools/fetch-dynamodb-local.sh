#!/usr/bin/env bash
# Fetch Amazon DynamoDB Local from the npm package that ships it, verified.
#
#   bash tools/fetch-dynamodb-local.sh amplify-dynamodb-simulator@2.9.30 .cache/dynamodb-local
#
# DEST receives the package's emulator/ folder (DynamoDBLocal.jar, DynamoDBLocal_lib/, the
# licences and the upstream `sha256` file) plus SHA256SUMS, a manifest of every file we
# extracted. Idempotent: when DEST already verifies against its manifest and the pins,
# nothing is downloaded.
#
# Trust chain, and why it is not "check the jar against the shipped sha256":
#   1. the tarball's sha512 must equal the integrity pinned below (the registry's
#      dist.integrity for that exact version; npm checks it too, we re-check it ourselves);
#   2. the jar's sha256 must equal the pin below;
#   3. the shipped emulator/sha256 is the digest of Amazon's dynamodb_local_latest.tar.gz
#      (see the package's scripts/update-ddb-simulator.js), a file we never download, so it
#      cannot be recomputed here; it is kept in DEST for provenance only.
# Another version: add its pins to the case below, or set DDB_LOCAL_INTEGRITY and
# DDB_LOCAL_JAR_SHA256 (both required) after checking them yourself.
set -euo pipefail

die() { echo "fetch-dynamodb-local: $*" >&2; exit 1; }

[[ $# -eq 2 ]] || die "usage: $0 PACKAGE@VERSION DEST"
PKG=$1
DEST=$2

case "$PKG" in
  amplify-dynamodb-simulator@2.9.30)  # DynamoDB Local 1.25.1
    INTEGRITY="sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ=="
    JAR_SHA256="454305e9bc3e6ebcca5b62569869e31563b8d7e346474e94557b2600702146c7"
    ;;
  *)
    INTEGRITY=${DDB_LOCAL_INTEGRITY:-}
    JAR_SHA256=${DDB_LOCAL_JAR_SHA256:-}
    [[ -n $INTEGRITY && -n $JAR_SHA256 ]] ||
      die "no pins for $PKG: add them to $0 or set DDB_LOCAL_INTEGRITY and DDB_LOCAL_JAR_SHA256"
    ;;
esac

command -v npm >/dev/null || die "npm is required (Debian: apt-get install -y npm; or install Node.js 20)"
command -v node >/dev/null || die "node is required (it comes with npm)"

# Hashing through node keeps the script portable (no sha256sum/shasum/openssl/xargs flavours).
# digest ALGO ENCODING FILE -> the digest of FILE
digest() {
  node -e '
    const [algo, enc, file] = process.argv.slice(1);
    const data = require("fs").readFileSync(file);
    process.stdout.write(require("crypto").createHash(algo).update(data).digest(enc));
  ' "$@"
}

# manifest DIR -> "<sha256>  ./<relative path>" for every file but SHA256SUMS, sorted
# (top-level dot entries are skipped: the launcher caches its compiled class in .launcher/).
# Used once, on the freshly extracted copy.
manifest() {
  node -e '
    const crypto = require("crypto"), fs = require("fs"), path = require("path");
    const root = process.argv[1], out = [];
    const walk = (rel) => {
      for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (!rel && e.name.startsWith(".")) continue;  // ours, e.g. the launcher cache
        if (e.isDirectory()) walk(r);
        else if (r !== "SHA256SUMS") out.push(r);
      }
    };
    walk("");
    out.sort();
    for (const r of out) {
      const h = crypto.createHash("sha256").update(fs.readFileSync(path.join(root, r)));
      process.stdout.write(`${h.digest("hex")}  ./${r}\n`);
    }' "$1"
}

# check_manifest DIR: every file SHA256SUMS lists exists with that digest. Files it does not
# list are reported, not fatal (tools write next to the jar); re-fetching would delete a
# folder a running DynamoDB Local may be using.
check_manifest() {
  node -e '
    const crypto = require("crypto"), fs = require("fs"), path = require("path");
    const root = process.argv[1];
    const listed = new Set();
    let ok = true;
    for (const line of fs.readFileSync(path.join(root, "SHA256SUMS"), "utf8").split("\n")) {
      if (!line) continue;
      const [want, rel] = [line.slice(0, 64), line.slice(66)];
      listed.add(rel);
      const file = path.join(root, rel);
      const got = fs.existsSync(file)
        ? crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex") : "missing";
      if (got !== want) { console.error(`fetch-dynamodb-local: ${rel}: ${got}, expected ${want}`); ok = false; }
    }
    const walk = (rel) => {
      for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (!rel && (e.name.startsWith(".") || e.name === "SHA256SUMS")) continue;
        if (e.isDirectory()) walk(r);
        else if (!listed.has(`./${r}`)) console.error(`fetch-dynamodb-local: note: ${r} is not ours`);
      }
    };
    walk("");
    process.exit(ok ? 0 : 1);
  ' "$1"
}

# verify_dir DIR: the jar matches its pin and every extracted file matches the manifest.
verify_dir() {
  local dir=$1
  [[ -f $dir/SHA256SUMS && -f $dir/DynamoDBLocal.jar ]] || return 1
  grep -qxF "$JAR_SHA256  ./DynamoDBLocal.jar" "$dir/SHA256SUMS" || return 1
  check_manifest "$dir"
}

if verify_dir "$DEST"; then
  echo "DynamoDB Local already in $DEST (verified)"
  exit 0
fi
if [[ -e $DEST ]]; then
  echo "fetch-dynamodb-local: $DEST is incomplete or does not verify; fetching again" >&2
fi

parent=$(dirname "$DEST")
mkdir -p "$parent"
# Staging lives next to DEST so the final rename is atomic (same filesystem).
work=$(mktemp -d "$parent/.dynamodb-local.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "npm pack $PKG (about 56 MB)"
# npm itself verifies the download against the registry's integrity for this version.
npm pack --loglevel=error --pack-destination "$work" "$PKG" >/dev/null ||
  die "npm pack $PKG failed (see npm's error above)"
shopt -s nullglob
tarballs=("$work"/*.tgz)
[[ ${#tarballs[@]} -eq 1 ]] || die "npm pack did not produce exactly one tarball in $work"
tarball=${tarballs[0]}

got_integrity="sha512-$(digest sha512 base64 "$tarball")"
[[ $got_integrity == "$INTEGRITY" ]] ||
  die "INTEGRITY MISMATCH for $PKG: expected $INTEGRITY, got $got_integrity"

mkdir "$work/x"
tar -xzf "$tarball" -C "$work/x" package/emulator
staged=$work/x/package/emulator
[[ -f $staged/DynamoDBLocal.jar && -d $staged/DynamoDBLocal_lib ]] ||
  die "$PKG has no emulator/DynamoDBLocal.jar or emulator/DynamoDBLocal_lib/"

got_jar=$(digest sha256 hex "$staged/DynamoDBLocal.jar")
[[ $got_jar == "$JAR_SHA256" ]] ||
  die "SHA256 MISMATCH for DynamoDBLocal.jar: expected $JAR_SHA256, got $got_jar"

manifest "$staged" > "$work/SHA256SUMS"
mv "$work/SHA256SUMS" "$staged/SHA256SUMS"
verify_dir "$staged" || die "internal error: staged copy does not verify"

rm -rf "$DEST"
mv "$staged" "$DEST"
echo "DynamoDB Local ready in $DEST (tarball $INTEGRITY, jar sha256 $JAR_SHA256)"
