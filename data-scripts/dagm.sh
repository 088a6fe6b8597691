#!/usr/bin/env bash
# Lays out the development set of DAGM 2007 ("Weakly Supervised Learning for Industrial Optical Inspection"): the six
# classes the seed article of the Score-CAM notebook downloads, as the library's loader
# (NotebookHelpers.Papers.ScoreCam.Dagm2007) expects them:
#
#   data/dagm2007/Class{k}/*.png                 1000 defect-free 512x512 grey images of class k (1..6)
#   data/dagm2007/Class{k}_def/*.png             150 images of class k with one defect each
#   data/dagm2007/Class{k}_def/labels.txt        one line per defect image: number, semi-major axis, semi-minor axis,
#                                                rotation angle (radians), x and y of the centre (pixels)
#
# (or $NBH_DATA_DAGM2007, or $NBH_DATA_DIR/dagm2007). Each class is unpacked into a temporary folder beside the target
# and moved into place only when complete and checked, so an interrupted run never leaves a half-populated class; a
# class already in place is left alone, so running the script again fetches only what is missing.
#
#   data-scripts/dagm.sh                  download Class{k}.zip and Class{k}_def.zip for k = 1..6 (12 zips) with curl
#   data-scripts/dagm.sh 1 3              only classes 1 and 3
#   data-scripts/dagm.sh --from DIR       lay out from the zips in DIR (downloaded by hand; DIR is left as it was)
#   --keep-downloads                      keep <target>.downloads/ (the zips) after a successful run
#
# Checks, per class: 1000 PNGs in Class{k}/, 150 in Class{k}_def/, 150 lines in labels.txt, each of six numbers, and a
# line for every defect image. DAGM_ACCEPT_COUNTS=1 lays out a class whose counts differ (a line is still needed for
# every defect image). No checksums are published for the zips: their SHA-256 is printed, to compare with a colleague's.
#
# NOT VERIFIED FROM THE MACHINE THAT WROTE THIS SCRIPT (it had no internet access): the URLs (those of the seed
# article's notebook, DAGM_URL for a mirror), the folder layout inside the zips (the script looks for the folder that
# holds the images at any depth), and the counts (as the competition's description gives them). The data are free for
# non-commercial research (DAGM / HCI Heidelberg).
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$self")/.."
repo=$PWD

# ---- What to fetch ---------------------------------------------------------------------------------------------------
BASE_URL=${DAGM_URL:-https://conferences.mpi-inf.mpg.de/dagm/2007}
CLEAN_IMAGES=1000
DEFECT_IMAGES=150
# ---------------------------------------------------------------------------------------------------------------------

usage() { sed -n '2,/^set -euo/p' "$self" | sed '$d; s/^# \{0,1\}//'; }
fail() { echo "dagm.sh: $*" >&2; exit 1; }
# Folders of unfinished work, removed however the script ends.
unfinished=()
cleanup() { if [ ${#unfinished[@]} -gt 0 ]; then rm -rf "${unfinished[@]}"; fi; }
trap cleanup EXIT

from=""; keep_downloads=0; classes=()
while [ $# -gt 0 ]; do
  case $1 in
    --from) [ $# -ge 2 ] || fail "--from needs a folder"; from=$2; shift 2 ;;
    --from=*) from=${1#--from=}; shift ;;
    --keep-downloads) keep_downloads=1; shift ;;
    -h|--help) usage; exit 0 ;;
    [1-6]) classes+=("$1"); shift ;;
    *) fail "unknown argument '$1': give classes 1 to 6, --from DIR or --keep-downloads (see --help)" ;;
  esac
done
[ ${#classes[@]} -gt 0 ] || classes=(1 2 3 4 5 6)
[ -z "$from" ] || [ -d "$from" ] || fail "--from $from: no such folder"

if [ -n "${NBH_DATA_DAGM2007:-}" ]; then target=$NBH_DATA_DAGM2007
elif [ -n "${NBH_DATA_DIR:-}" ]; then target=$NBH_DATA_DIR/dagm2007
else target=$repo/data/dagm2007; fi
target=${target%/}
downloads=$target.downloads

if command -v unzip >/dev/null; then extract() { unzip -q "$1" -d "$2"; }
elif command -v python3 >/dev/null; then extract() { python3 -m zipfile -e "$1" "$2"; }
else extract() { fail "unzip (or python3) is needed to extract $1"; }; fi
if [ -z "$from" ]; then command -v curl >/dev/null || fail "curl is needed to download; or download the zips in a browser and use --from DIR"; fi

mkdir -p "$target"

# The zip $1 (Class3.zip, say): from --from, from an earlier download, or downloaded now. Prints its path.
fetch_zip() {
  local name=$1 zip
  if [ -n "$from" ]; then
    zip=$from/$name
    [ -f "$zip" ] || fail "--from $from holds no $name; download it from $BASE_URL/$name. Nothing was laid out for this class."
    echo "$zip"; return
  fi
  mkdir -p "$downloads"
  zip=$downloads/$name
  if [ ! -f "$zip" ]; then
    echo "Downloading $BASE_URL/$name ..." >&2
    # -C - continues a partial download left by an interrupted run.
    curl -fL --retry 3 -C - -o "$zip.part" "$BASE_URL/$name" >&2 \
      || fail "the download of $BASE_URL/$name failed; run again (it continues), set DAGM_URL to a mirror, or download the zips by hand and use --from DIR"
    mv "$zip.part" "$zip"
  fi
  echo "$zip"
}

# The folder under $1 that holds the PNGs (and, with $2 = def, labels.txt): $1 itself or one at any depth.
image_folder() {
  local root=$1 kind=$2 found
  if [ "$kind" = def ]; then
    found=$(find "$root" -type f -name labels.txt -not -path '*/__MACOSX/*' -printf '%h\n' | head -n 1)
  else
    found=$(find "$root" -type f -iname '*.png' -not -path '*/__MACOSX/*' -printf '%h\n' | sort | uniq -c | sort -rn | head -n 1 | sed 's/^ *[0-9]* //')
  fi
  echo "$found"
}

png_count() { find "$1" -maxdepth 1 -type f -iname '*.png' | wc -l; }

# Checks the staged class folders $1 (defect-free) and $2 (defects) of class $3; fails saying what is wrong.
check_class() {
  local clean=$1 def=$2 k=$3 n_clean n_def n_lines bad missing n
  n_clean=$(png_count "$clean")
  n_def=$(png_count "$def")
  n_lines=$(tr -d '\r' <"$def/labels.txt" | grep -c '[^[:space:]]' || true)
  if [ "$n_clean" != $CLEAN_IMAGES ] || [ "$n_def" != $DEFECT_IMAGES ] || [ "$n_lines" != $DEFECT_IMAGES ]; then
    echo "Class $k holds $n_clean defect-free and $n_def defect images and $n_lines label lines; the release has $CLEAN_IMAGES, $DEFECT_IMAGES and $DEFECT_IMAGES." >&2
    local again="download its zips again (delete them from $downloads)"
    [ -z "$from" ] || again="check Class$k.zip and Class${k}_def.zip in $from"
    [ "${DAGM_ACCEPT_COUNTS:-0}" = 1 ] || fail "class $k is incomplete or not the release; $again, or run with DAGM_ACCEPT_COUNTS=1 to lay it out anyway. Nothing was laid out for class $k."
  fi
  bad=$(tr -d '\r' <"$def/labels.txt" | awk 'NF > 0 && NF != 6 { print NR; exit }')
  [ -z "$bad" ] || fail "labels.txt of Class${k}_def.zip, line $bad: expected six numbers (image number, semi-major axis, semi-minor axis, angle, x, y). Nothing was laid out for class $k."
  missing=$(cd "$def" && for f in *.[pP][nN][gG]; do
    [ -e "$f" ] || continue
    n=${f%.*}
    case $n in ''|*[!0-9]*) echo "$f"; break ;; esac
    n=$((10#$n))
    tr -d '\r' <labels.txt | awk -v n="$n" 'NF == 6 && $1 + 0 == n { found = 1 } END { exit !found }' || { echo "$f"; break; }
  done)
  [ -z "$missing" ] || fail "$missing of Class${k}_def.zip has no line in its labels.txt. Nothing was laid out for class $k."
}

laid_out=0
for k in "${classes[@]}"; do
  if [ -d "$target/Class$k" ] && [ -d "$target/Class${k}_def" ]; then
    echo "Class $k is already at $target; remove Class$k/ and Class${k}_def/ to lay it out again."
    continue
  fi
  [ ! -e "$target/Class$k" ] && [ ! -e "$target/Class${k}_def" ] \
    || fail "$target holds only one of Class$k/ and Class${k}_def/ (left by hand?); remove it and run again."
  work=$(mktemp -d "$target/.class$k.tmp.XXXXXX")
  unfinished+=("$work")
  for part in "" _def; do
    zip=$(fetch_zip "Class$k$part.zip")
    echo "  Class$k$part.zip: SHA-256 $(sha256sum "$zip" | cut -d' ' -f1)"
    mkdir -p "$work/zip$part"
    extract "$zip" "$work/zip$part" || fail "could not extract $zip (a broken download? delete it and run again). Nothing was laid out for class $k."
    kind=clean; [ -z "$part" ] || kind=def
    folder=$(image_folder "$work/zip$part" "$kind")
    [ -n "$folder" ] || fail "$zip holds no $( [ "$kind" = def ] && echo labels.txt || echo PNG images ); is it the right file? Nothing was laid out for class $k."
    mv "$folder" "$work/Class$k$part"
  done
  check_class "$work/Class$k" "$work/Class${k}_def" "$k"
  mv "$work/Class$k" "$target/Class$k"
  mv "$work/Class${k}_def" "$target/Class${k}_def"
  rm -rf "$work"
  echo "  class $k: $(png_count "$target/Class$k") defect-free and $(png_count "$target/Class${k}_def") defect images, each with its label line"
  laid_out=$((laid_out + 1))
done

echo "DAGM 2007 at $target: $laid_out class(es) laid out now."
if [ -z "$from" ] && [ $keep_downloads = 0 ] && [ -d "$downloads" ]; then rm -rf "$downloads"; fi
exit 0
