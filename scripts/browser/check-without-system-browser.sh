#!/usr/bin/env bash
# npm run check:bundled-browser [-- --quick | --without-bundled]
#
# Runs the browser tests as on a fresh machine without Debian's chromium: in a private mount namespace
# (unshare --mount; needs root with CAP_SYS_ADMIN) where the system Chromium, the NSS/NSPR/expat/fontconfig/freetype
# libraries it loads, the system fonts and any Playwright browser cache are hidden behind empty files and folders.
# Nothing changes outside the namespace. Then, with no TSG_BROWSER/CHROMIUM_PATH, resolveChromium() must fall through
# to the browser @sparticuz/chromium ships in node_modules, unpacked afresh into a temp folder.
#
#   (default)          smoke (launch + text renders) + `vitest run --project browser` + `--project storybook`
#   --quick            smoke + `--project browser` only (≈ 30 s; what .ci/run runs)
#   --without-bundled  also hides node_modules/@sparticuz/chromium: resolve and the browser project must FAIL
#                      (proves the check is not vacuous; exit status 1 is the expected outcome)
#
# Exit status: 0 only if every step passed. The vitest JSON reports go to the temp folder, never .vitest-report.json.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

if [ "${TSG_HIDDEN_NAMESPACE:-}" != "1" ]; then
  if ! unshare --mount --propagation private true 2>/dev/null; then
    echo "[check:bundled-browser] cannot create a mount namespace here (needs root with CAP_SYS_ADMIN)" >&2
    exit 2
  fi
  # The temp folder is made and removed out here: inside, its files are the sources of the hiding mounts.
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/tsg-bundled-check.XXXXXX")
  TSG_CHECK_WORK="$WORK" TSG_HIDDEN_NAMESPACE=1 unshare --mount --propagation private -- bash "$0" "$@"
  status=$?
  rm -rf "$WORK"
  exit $status
fi

MODE=full
for arg in "$@"; do
  case "$arg" in
    --quick) MODE=quick ;;
    --without-bundled) MODE=without-bundled ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

WORK=$TSG_CHECK_WORK
mkdir -p "$WORK/empty" "$WORK/cache" "$WORK/pw-browsers"
: >"$WORK/empty-file"
chmod 0644 "$WORK/empty-file"

hide_dir() { [ -d "$1" ] && mount --bind "$WORK/empty" "$1" && echo "  hidden: $1/"; }
declare -A hidden=()
hide_file() {
  [ -e "$1" ] && [ -z "${hidden[$1]:-}" ] || return 0
  hidden[$1]=1
  mount --bind "$WORK/empty-file" "$1" && echo "  hidden: $1"
}

echo "[check:bundled-browser] hiding the system browser, its libraries and fonts (mount namespace, mode: $MODE)"

# 1. The libraries Debian's chromium loads (and the bundled binary needs from somewhere): NSS, NSPR, expat, and the
#    font stack. Each real file is covered by an empty one, so the loader fails with "file too short".
libs=()
for dir in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
  for pat in 'libnss3.so*' 'libnssutil3.so*' 'libsmime3.so*' 'libssl3.so*' 'libsoftokn3.so*' 'libfreebl*.so*' \
             'libnssckbi.so*' 'libnssdbm3.so*' 'libnspr4.so*' 'libplc4.so*' 'libplds4.so*' 'libexpat.so*' \
             'libfontconfig.so*' 'libfreetype.so*'; do
    for f in "$dir"/$pat; do [ -e "$f" ] && libs+=("$(readlink -f "$f")"); done
  done
done
mapfile -t libs < <(printf '%s\n' "${libs[@]}" | sort -u)
for f in "${libs[@]}"; do hide_file "$f"; done

# Proof the libraries are really gone: Debian's own binary (if any) can no longer start.
if [ -x /usr/lib/chromium/chromium ]; then
  if out=$(/usr/lib/chromium/chromium --version 2>&1); then
    echo "[check:bundled-browser] FAIL: Debian's chromium still starts with its libraries hidden: $out" >&2
    exit 1
  fi
  echo "  proof: Debian's chromium no longer starts: $(echo "$out" | head -1)"
fi

# 2. The browsers themselves, wherever resolveChromium() would look.
hide_dir /usr/lib/chromium
for name in chromium chromium-browser google-chrome google-chrome-stable; do
  for p in "/usr/bin/$name" $(type -ap "$name" 2>/dev/null); do hide_file "$(readlink -f "$p")"; done
done
# 3. System fonts (the bundled browser must bring its own).
for d in /usr/share/fonts /usr/local/share/fonts /etc/fonts "$HOME/.fonts" "$HOME/.local/share/fonts"; do hide_dir "$d"; done
# 4. No Playwright browser cache, no override.
export PLAYWRIGHT_BROWSERS_PATH="$WORK/pw-browsers"
unset CHROMIUM_PATH TSG_BROWSER FONTCONFIG_PATH FONTCONFIG_FILE
# 5. A fresh unpack, so the check covers it (the real cache in node_modules/.cache is left alone).
export TSG_BROWSER_CACHE_DIR="$WORK/cache"

if [ "$MODE" = without-bundled ]; then
  hide_dir "$ROOT/node_modules/@sparticuz/chromium"
  echo "[check:bundled-browser] @sparticuz/chromium hidden too: the steps below are expected to FAIL"
fi

status=0
step() {
  local name=$1; shift
  local t0=$SECONDS
  echo "[check:bundled-browser] $name: $*"
  if "$@"; then
    echo "[check:bundled-browser] $name: ok ($((SECONDS - t0)) s)"
  else
    echo "[check:bundled-browser] $name: FAILED ($((SECONDS - t0)) s)" >&2
    status=1
  fi
}

# Which browser, and that it is the npm-provided one.
which_json="$WORK/which.json"
resolves_bundled() {
  npx --no-install tsx scripts/browser/which.ts >"$which_json" || return 1
  node -e 'const r = require(process.argv[1]); console.log(`  ${r.source}: ${r.version} at ${r.executablePath} (resolved in ${r.resolveMs} ms)`); process.exit(r.source === "bundled" ? 0 : 1)' "$which_json"
}
step resolve resolves_bundled
if [ $status -ne 0 ]; then
  if [ "$MODE" != without-bundled ]; then
    echo "[check:bundled-browser] FAILED: the bundled browser did not resolve" >&2
    exit 1
  fi
else
  # Proof its own lib/ is what makes it start here: without LD_LIBRARY_PATH the same binary does not.
  exe=$(node -p 'require(process.argv[1]).executablePath' "$which_json")
  if out=$(env -u LD_LIBRARY_PATH "$exe" --version 2>&1); then
    echo "[check:bundled-browser] FAIL: the bundled binary starts without its lib/, so the system libraries are not hidden: $out" >&2
    exit 1
  fi
  echo "  proof: without its lib/ the bundled binary does not start either: $(echo "$out" | head -1)"
  step smoke npx --no-install tsx scripts/browser/smoke.ts
fi
step "vitest browser" npx --no-install vitest run --project browser --outputFile.json="$WORK/browser.json"
if [ "$MODE" = full ]; then
  step "vitest storybook" npx --no-install vitest run --project storybook --outputFile.json="$WORK/storybook.json"
fi

# Pass counts from the JSON reports (a run that selected no tests is a failure too).
for report in "$WORK/browser.json" "$WORK/storybook.json"; do
  [ -f "$report" ] || continue
  node -e '
    const r = require(process.argv[1]);
    console.log(`[check:bundled-browser] ${require("path").basename(process.argv[1], ".json")}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
    if (r.numTotalTests === 0 || r.numFailedTests > 0) process.exit(1);
  ' "$report" || status=1
done

if [ $status -eq 0 ]; then
  echo "[check:bundled-browser] PASSED with the system browser, its libraries and fonts hidden"
else
  echo "[check:bundled-browser] FAILED" >&2
fi
exit $status
