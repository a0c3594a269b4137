# shellcheck shell=bash
# Source me (from the repository root, after scripts/pulumi-env.sh and with PULUMI_BACKEND_URL
# set). Keeps a passphrase salt that Pulumi wrote into the working tree's Pulumi.<stack>.yaml from
# breaking a run against ANOTHER state (docs/operations.md, "The encryption salt").
#
#   prepare_stack_salt STACK [LOG]   before `pulumi stack select/init STACK`
#   strip_machine_salt STACK [LOG]   at exit: keeps the salt out of a committed stack file
#
# LOG is the name of a function that prints one line (default: echo to stderr).
#
# What Pulumi 3.254.0 does with the salt (checked with the real CLI on file:// backends):
#  * `stack init`/`stack select --create` writes a new salt into Pulumi.<stack>.yaml, and the same
#    salt into the new stack's state (deployment.secrets_providers.state.salt).
#  * It creates a NEW stack with the salt found in the file and checks the passphrase against it:
#    a salt from another state (another passphrase) stops it with "could not create secrets
#    manager for new stack: incorrect passphrase" (pkg/cmd/pulumi/stack/io.go:360).
#  * For an EXISTING stack, the state's secrets are always decrypted with the state's own salt;
#    the file's salt serves to encrypt config. A foreign salt there lets `stack select` pass but
#    stops `preview`, `up` and `config set --secret` with "incorrect passphrase".
#  * With no salt in the file, Pulumi reads the state's salt only when
#    PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true (pkg/cmd/pulumi/stack/secrets.go:258), which
#    scripts/pulumi-env.sh sets; otherwise it mints a new salt for the same passphrase.
# So a salt that does not belong to this state's stack is moved aside (a copy of the file as it
# was goes to .git/travel-app-salts/, never lost) and the state it came from keeps its own copy.

_salt_log() { echo "$*" >&2; }

_salt_in() { sed -n 's/^encryptionsalt: *//p' "$1" | head -n 1; }

# _salt_committed FILE: true when HEAD's FILE carries a salt (then it is shared on purpose).
_salt_committed() { git show "HEAD:$1" 2>/dev/null | grep -q '^encryptionsalt:'; }

# _salt_of_state STACK: prints the passphrase salt the stack's state holds ("" if it holds none,
# "-" if the stack does not exist in PULUMI_BACKEND_URL). Needs no passphrase.
_salt_of_state() {
    local stacks
    stacks=$(pulumi stack ls --json --non-interactive 2>/dev/null) || stacks="[]"
    if ! printf '%s' "$stacks" | python3 -c '
import json, sys
names = {s["name"].split("/")[-1] for s in json.load(sys.stdin)}
sys.exit(0 if sys.argv[1] in names else 1)' "$1"; then
        echo "-"
        return 0
    fi
    pulumi stack export --stack "$1" --non-interactive 2>/dev/null | python3 -c '
import json, sys
sp = json.load(sys.stdin).get("deployment", {}).get("secrets_providers") or {}
print((sp.get("state") or {}).get("salt", "") if sp.get("type") == "passphrase" else "")'
}

prepare_stack_salt() {
    local stack=$1 log=${2:-_salt_log} file="Pulumi.$1.yaml" salt state_salt why dir backup
    [ -f "$file" ] || return 0
    salt=$(_salt_in "$file")
    [ -n "$salt" ] || return 0
    _salt_committed "$file" && return 0
    state_salt=$(_salt_of_state "$stack")
    if [ "$state_salt" = "-" ]; then
        why="stack '$stack' does not exist yet in $PULUMI_BACKEND_URL, and Pulumi would create it with that salt"
    elif [ -z "$state_salt" ] || [ "$state_salt" = "$salt" ]; then
        return 0 # this state's own salt (or a secrets provider other than a passphrase)
    else
        why="stack '$stack' in $PULUMI_BACKEND_URL was created with another salt, which its state keeps"
    fi
    if grep -q 'secure:' "$file"; then
        "$log" "ERROR: $file holds an encryptionsalt written by an earlier pulumi command against another"
        "$log" "state and passphrase, and 'secure:' values encrypted with it; $why."
        "$log" "Use that state (PULUMI_BACKEND_URL, passphrase) or remove the secure values and the salt line."
        return 1
    fi
    dir=$(git rev-parse --git-path travel-app-salts 2>/dev/null) || dir="${TMPDIR:-/tmp}/travel-app-salts"
    mkdir -p "$dir"
    backup="$dir/$file.$(date -u +%Y%m%dT%H%M%SZ)"
    cp "$file" "$backup"
    sed -i '/^encryptionsalt:/d' "$file"
    "$log" "$file held an encryptionsalt that an earlier pulumi command wrote for another state and passphrase:"
    "$log" "$why (\"incorrect passphrase\" otherwise). Moved it aside; the file as it"
    "$log" "was is in $backup (the other state keeps its own copy of its salt, and Pulumi reads it there)."
}

strip_machine_salt() {
    local stack=$1 log=${2:-_salt_log} file="Pulumi.$1.yaml"
    if [ -f "$file" ] && git ls-files --error-unmatch "$file" >/dev/null 2>&1 &&
        ! _salt_committed "$file" && grep -q '^encryptionsalt:' "$file"; then
        if grep -q 'secure:' "$file"; then
            "$log" "left the encryption salt in $file: its 'secure:' values were encrypted with it"
            return 0
        fi
        sed -i '/^encryptionsalt:/d' "$file"
        "$log" "kept this machine's encryption salt out of the committed $file (the state has it)"
    fi
}
