#!/usr/bin/env bash
# Checks a Stoa evidence bundle with standard tools only: bash, unzip, openssl, sha256sum, jq and
# basenc (coreutils). The same checks as `dotnet Stoa.Dashboard.dll verify`; docs/evidence.md
# describes the format. It hashes one record at a time in the shell (a few ms each): for bundles of
# hundreds of thousands of records, use the dotnet command.
#
#   verify-bundle.sh BUNDLE.zip [--keys keys.json] [--fingerprint SHA256]...
#
# --keys: the instance's public keys (https://<stoa>/.well-known/stoa/keys.json), trusted as given.
# --fingerprint: trust only the bundle's keys whose public key (DER) has this SHA-256.
# With neither, the bundle's own keys are used: that proves it is intact, not who signed it.
set -uo pipefail

fail() { echo "FAILED: $*."; exit 1; }
ok() { echo "  ok: $*"; }
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

bundle="" keys="" fingerprints=()
while [ $# -gt 0 ]; do
    case "$1" in
        --keys) [ $# -ge 2 ] || usage; keys=$(realpath "$2"); shift 2 ;;
        --fingerprint) [ $# -ge 2 ] || usage; fingerprints+=("$(tr -d ':' <<< "${2,,}")"); shift 2 ;;
        -*) usage ;;
        *) [ -z "$bundle" ] || usage; bundle=$(realpath "$1"); shift ;;
    esac
done
[ -n "$bundle" ] && [ -f "$bundle" ] || usage
for tool in unzip openssl sha256sum jq basenc; do command -v "$tool" >/dev/null || fail "this script needs $tool"; done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bundle"
unzip -qq "$bundle" -d "$work/bundle" 2>/dev/null || fail "$bundle is not a readable ZIP"
cd "$work/bundle"
[ -f manifest.json ] && [ -f manifest.sig ] || fail "manifest.json or manifest.sig is missing: this is not a Stoa bundle"
jq -e '.format == "stoa-bundle/1"' manifest.json >/dev/null 2>&1 || fail "manifest.json: not a stoa-bundle/1 manifest"

pinned=yes
if [ -z "$keys" ]; then
    keys="$PWD/keys.json"
    [ ${#fingerprints[@]} -gt 0 ] || pinned=no
fi

# Writes the public key with this id to a PEM file, if it is trusted.
trusted_key() {
    local id=$1 pem=$2 fingerprint listed
    jq -r --arg id "$id" '.keys[] | select(.key_id == $id) | .public_key_pem' "$keys" > "$pem" 2>/dev/null
    [ -s "$pem" ] || fail "$3 is signed by key $id, which is not among the trusted keys"
    fingerprint=$(openssl pkey -pubin -in "$pem" -outform DER 2>/dev/null | sha256sum | cut -c1-64)
    listed=$(jq -r --arg id "$id" '.keys[] | select(.key_id == $id) | .fingerprint_sha256' "$keys")
    [ "$fingerprint" = "$listed" ] || fail "key $id: its fingerprint is not the one listed with it"
    if [ ${#fingerprints[@]} -gt 0 ]; then
        local f
        for f in "${fingerprints[@]}"; do [ "$f" = "$fingerprint" ] && return 0; done
        fail "$3 is signed by key $id (sha256 $fingerprint), which is not a fingerprint you gave"
    fi
}

manifest_key=$(jq -r .key_id manifest.json)
trusted_key "$manifest_key" "$work/manifest-key.pem" manifest.json
openssl dgst -sha256 -verify "$work/manifest-key.pem" -signature manifest.sig manifest.json >/dev/null 2>&1 \
    || fail "manifest.sig is not key $manifest_key's signature of manifest.json: the manifest was changed"
ok "manifest signed by $manifest_key$([ $pinned = no ] && echo ' (a key taken from the bundle itself: pin it with --keys or --fingerprint)')"

jq -r '.files[] | "\(.sha256)  \(.name)"' manifest.json > "$work/sums"
while read -r sum name; do
    [ -f "$name" ] || fail "$name is listed in the manifest but missing"
    [ "$(sha256sum < "$name" | cut -c1-64)" = "$sum" ] || fail "$name: its SHA-256 is not the one in the signed manifest: the file was changed"
done < "$work/sums"
listed=$(jq -r '.files[].name' manifest.json; echo manifest.json; echo manifest.sig)
shopt -s dotglob nullglob
for name in *; do grep -qxF -- "$name" <<< "$listed" || fail "$name is not listed in the signed manifest"; done
ok "$(jq '.files | length' manifest.json) files match their SHA-256"

rows=$(jq .rows manifest.json)
tenant=$(jq -r .tenant_id manifest.json)
if [ "$rows" -eq 0 ]; then echo "VERIFIED: no records of tenant $tenant in the window; the manifest is signed."; exit 0; fi

checkpoint_key=$(jq -r .key_id checkpoint.json 2>/dev/null) || fail "checkpoint.json is missing or not a checkpoint"
trusted_key "$checkpoint_key" "$work/checkpoint-key.pem" checkpoint.json
openssl dgst -sha256 -verify "$work/checkpoint-key.pem" -signature checkpoint.sig checkpoint.json >/dev/null 2>&1 \
    || fail "checkpoint.sig is not key $checkpoint_key's signature of checkpoint.json"
jq -e --slurpfile m manifest.json '.format == "stoa-checkpoint/1" and .tenant_id == $m[0].tenant_id
    and .seq == $m[0].chain.end_seq and .head == $m[0].chain.end_head' checkpoint.json >/dev/null \
    || fail "checkpoint.json is not the checkpoint the manifest names (tenant, seq or head differ)"
ok "checkpoint at seq $(jq .seq checkpoint.json) signed $(jq -r .time checkpoint.json) by $checkpoint_key"

# leaf = SHA-256(0x00 || the canonical line)
declare -A record_leaf context_leaf
leaves_of() {
    local -n into=$1
    local line
    while IFS= read -r line; do
        [[ $line =~ ^\{\"seq\":([0-9]+), ]] || fail "$2: a line is not a canonical event"
        into[${BASH_REMATCH[1]}]=$( { printf '\x00'; printf '%s' "$line"; } | sha256sum | cut -c1-64)
    done < "$2"
}
leaves_of record_leaf events.ndjson
complete=$(jq -r .complete manifest.json)
if [ "$complete" = true ]; then
    [ -f context.ndjson ] || fail "context.ndjson is missing from a complete bundle"
    leaves_of context_leaf context.ndjson
    inside=$(jq -r --arg layer "$(jq -r .layer manifest.json)" --arg from "$(jq -r '.from // ""' manifest.json)" \
        --arg to "$(jq -r .to manifest.json)" 'select((if .event_type == "api_request" then "requests"
            elif .event_type == "business_audit" then "business" else "security" end) == $layer
            and ($from == "" or .timestamp >= $from) and .timestamp < $to) | .seq' context.ndjson | head -n 1)
    [ -z "$inside" ] || fail "context.ndjson event seq $inside is a $(jq -r .layer manifest.json) event inside the window, but not among the records: the export is incomplete"
fi

# head(n) = SHA-256(0x01 || head(n-1) || leaf(n) || seq(n) as 8 bytes big-endian)
read -r word start_seq head < chain.txt
[ "$word" = start ] && [ "$start_seq" = "$(jq .chain.start_seq manifest.json)" ] && [ "$head" = "$(jq -r .chain.start_head manifest.json)" ] \
    || fail "chain.txt: its first line is not the start the manifest names"
expected=$((start_seq + 1)) matched=0
while read -r seq leaf; do
    [ "$seq" = "$expected" ] || fail "chain.txt: seq $expected is missing (the next line is seq $seq)"
    if [ -n "${record_leaf[$seq]+x}" ]; then
        [ "${record_leaf[$seq]}" = "$leaf" ] || fail "events.ndjson record seq $seq: its hash is not the chain's leaf at seq $seq: the record was altered"
        matched=$((matched + 1))
    elif [ -n "${context_leaf[$seq]+x}" ]; then
        [ "${context_leaf[$seq]}" = "$leaf" ] || fail "context.ndjson event seq $seq: its hash is not the chain's leaf at seq $seq"
    elif [ "$complete" = true ]; then
        fail "chain.txt seq $seq is neither a record nor in context.ndjson: the bundle does not show it is outside the window"
    fi
    head=$(printf '01%s%s%016x' "$head" "$leaf" "$seq" | tr 'a-f' 'A-F' | basenc --base16 -d | sha256sum | cut -c1-64)
    expected=$((expected + 1))
done < <(tail -n +2 chain.txt)
[ "$matched" -eq "${#record_leaf[@]}" ] || fail "events.ndjson holds records that are not in the chain segment"
[ "$matched" -eq "$rows" ] || fail "events.ndjson holds $matched records in the chain; the manifest says $rows"
[ $((expected - 1)) = "$(jq .chain.end_seq manifest.json)" ] && [ "$head" = "$(jq -r .chain.end_head manifest.json)" ] \
    || fail "chain.txt does not reach the signed head at seq $(jq .chain.end_seq manifest.json): the chain was altered"
ok "$rows records are in the chain at their seq; $((expected - 1 - start_seq)) links reach the signed head"
[ "$complete" = true ] && ok "every other event of the segment is outside the layer and window"
echo "VERIFIED: $rows $(jq -r .layer manifest.json) records of tenant $tenant, $(jq -r '.from // "the first event"' manifest.json) to $(jq -r .to manifest.json), seq $(jq .seq_first manifest.json)–$(jq .seq_last manifest.json)$([ "$complete" = true ] && echo ', complete')$([ $pinned = no ] && echo ' (keys not pinned)')."
