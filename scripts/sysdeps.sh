#!/usr/bin/env bash
# Check (and, as root with apt-get, install) the Debian packages the project needs:
#   fonts    -> fonts-wqy-microhei (CJK font WeasyPrint names in print CSS)
#   chromium -> chromium (browser tests drive it through Playwright; never `playwright install`)
#   poppler  -> poppler-utils (pdftotext/pdffonts/pdfinfo: the PDF tests read the archives back)
set -euo pipefail
missing=()
for want in "$@"; do
  case "$want" in
    fonts) fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || missing+=(fonts-wqy-microhei) ;;
    chromium) [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
    poppler) command -v pdftotext >/dev/null && command -v pdffonts >/dev/null && command -v pdfinfo >/dev/null || missing+=(poppler-utils) ;;
    *) echo "unknown dependency: $want" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
