#!/usr/bin/env bash
# Lays out Places365-Standard's 256x256 images in the "easy directory structure" (places365standard_easyformat.tar,
# about 21 GB, from places2.csail.mit.edu) as the library's loader (NotebookHelpers.Papers.Glcic.Places2) expects it:
# the tar's places365_standard folder, renamed to
#
#   data/places2/train/<category>/*.jpg   1,803,460 images, 256x256, 365 categories
#   data/places2/val/<category>/*.jpg     36,500 images (100 a category)
#   data/places2/train.txt, val.txt       one image a line, relative to data/places2: train/airfield/00000001.jpg
#
# (or $NBH_DATA_PLACES2, or $NBH_DATA_DIR/places2). The tar is unpacked into a temporary folder beside the target and
# renamed into place only when complete and checked, so an interrupted run never leaves a half-populated data/places2.
# Room needed: the tar and its unpacked copy side by side, about 2 x 21 GB, on the target's file system.
#
#   data-scripts/places2.sh                 download the tar into <target>.downloads/ (resumable), then lay out
#   data-scripts/places2.sh --from DIR|TAR  lay out places365standard_easyformat.tar downloaded by hand (the tar, or a
#                                           folder holding it); it is left as it was
#   data-scripts/places2.sh --val-only      only the 36,500 validation images, about 0.5 GB: the release's separate
#                                           val_256.tar and the devkit's filelist_places365-standard.tar (for its
#                                           places365_val.txt), laid out as
#                                             data/places2/val_256/Places365_val_*.jpg
#                                             data/places2/val.txt      val_256/Places365_val_00000001.jpg <class index>
#                                             data/places2/categories_places365.txt
#                                           (with --from DIR: DIR holds both tars). The easy-format tar has train and
#                                           val in one archive, so it cannot give val alone without the 21 GB download.
#   --keep-downloads                        keep <target>.downloads/ after a successful download
#
# Already unpacked elsewhere? Nothing needs copying: set NBH_DATA_PLACES2 to its places365_standard folder.
#
# Checks: after unpacking, that train.txt and val.txt list 1,803,460 and 36,500 images (the devkit's documented counts),
# that every listed file is in the archive, and that no listed file is listed twice; images the lists do not name and a
# category count other than 365 are reported. The archive's SHA-256 is printed.
#
# NOT VERIFIED FROM THE MACHINE THAT WROTE THIS SCRIPT (it had no internet access):
#   - the URLs below, taken from third-party scripts that download them, were not tried;
#   - no checksum of places365standard_easyformat.tar could be found published (torchvision pins none for it): the
#     archive is unverified beyond the list checks above. Record its SHA-256 as PLACES2_SHA256 once you trust it;
#   - its layout (places365_standard/{train,val}/<category>/*.jpg with train.txt and val.txt of bare relative paths)
#     is the one third-party loaders read (tensorpack's Places365Standard among them), not one seen in the archive;
#     its size (21 GB) is as one third party quotes the download page;
#   - for --val-only, the MD5s are the ones torchvision's Places365 pins for val_256.tar, filelist_places365-standard.tar
#     and places365_val.txt; that val_256/ holds the same pictures as the easy format's val/ was not checked.
# Terms: Places is for non-commercial research and education (see places2.csail.mit.edu); the images' copyright stays
# with their owners.
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$self")/.."
repo=$PWD

# ---- What to fetch and how to check it --------------------------------------------------------------------------------
BASE=http://data.csail.mit.edu/places/places365
TAR=places365standard_easyformat.tar
URL=${PLACES2_URL:-$BASE/$TAR}
SHA256=${PLACES2_SHA256:-}                                # none published: record it here once you trust the file
VAL_TAR=val_256.tar
VAL_URL=${PLACES2_VAL_URL:-$BASE/$VAL_TAR}
VAL_MD5=e27b17d8d44f4af9a78502beb927f808                  # as pinned by torchvision
FILELIST_TAR=filelist_places365-standard.tar
FILELIST_URL=${PLACES2_FILELIST_URL:-$BASE/$FILELIST_TAR}
FILELIST_MD5=35a0585fee1fa656440f3ab298f8479c             # as pinned by torchvision
VAL_LIST_MD5=e9f2fd57bfd9d07630173f4e8708e4b1             # places365_val.txt, as pinned by torchvision

declare -A EXPECTED=([train]=1803460 [val]=36500)
EXPECTED_CATEGORIES=365
# ---------------------------------------------------------------------------------------------------------------------

usage() { sed -n '2,/^set -euo/p' "$self" | sed '$d; s/^# \{0,1\}//'; }
fail() { echo "places2.sh: $*" >&2; exit 1; }
# Folders of unfinished work, removed however the script ends.
unfinished=()
trap 'rm -rf "${unfinished[@]}"' EXIT

from=""; val_only=0; keep_downloads=0
while [ $# -gt 0 ]; do
  case $1 in
    --from) [ $# -ge 2 ] || fail "--from needs a folder or a tar"; from=$2; shift 2 ;;
    --from=*) from=${1#--from=}; shift ;;
    --val-only) val_only=1; shift ;;
    --keep-downloads) keep_downloads=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown argument '$1' (see --help)" ;;
  esac
done

if [ -n "${NBH_DATA_PLACES2:-}" ]; then target=$NBH_DATA_PLACES2
elif [ -n "${NBH_DATA_DIR:-}" ]; then target=$NBH_DATA_DIR/places2
else target=$repo/data/places2; fi
target=${target%/}

if [ -e "$target" ]; then
  echo "Places2 is already at $target; remove that folder to lay it out again (a --val-only layout included)."
  exit 0
fi

command -v tar >/dev/null || fail "tar is needed to unpack the archive"
# digest ALGORITHM FILE: the hex digest, by coreutils (md5sum, sha256sum) or else python3.
digest() {
  if command -v "$1sum" >/dev/null; then "$1sum" "$2" | cut -d' ' -f1
  elif command -v python3 >/dev/null; then
    python3 -c 'import hashlib, sys
h = hashlib.new(sys.argv[1])
with open(sys.argv[2], "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""): h.update(block)
print(h.hexdigest())' "$1" "$2"
  else fail "$1sum (or python3) is needed to check the archive"; fi
}

downloads=$target.downloads
# archive NAME URL: the path of NAME, from --from or downloaded (resumably) into $downloads.
archive() {
  local name=$1 url=$2 path
  if [ -n "$from" ]; then
    if [ -d "$from" ]; then path=$from/$name
    elif [ -f "$from" ] && [ $val_only = 0 ]; then path=$from
    elif [ -f "$from" ]; then fail "--val-only --from needs the folder that holds both $VAL_TAR and $FILELIST_TAR"
    else fail "--from $from: no such folder or file"; fi
    if [ ! -f "$path" ]; then
      local found
      found=$(find "$from" -maxdepth 1 -type f -name '*.tar' -printf '%f ' 2>/dev/null || true)
      fail "--from $from lacks $name (tar files there: ${found:-none}). Download it from $url, or rename the download."
    fi
  else
    command -v curl >/dev/null || fail "curl is needed to download; or download $name in a browser and use --from DIR"
    mkdir -p "$downloads"
    path=$downloads/$name
    if [ -f "$path" ]; then echo "$path: downloaded before" >&2
    else
      echo "Downloading $url ..." >&2
      curl -fL --retry 3 -C - -o "$path.part" "$url" \
        || fail "the download of $name failed; run again to resume, or download it by hand and use --from DIR"
      mv "$path.part" "$path"
    fi
  fi
  echo "$path"
}

# require_md5 FILE EXPECTED WHO: the file's MD5 must be the pinned one, unless PLACES2_ACCEPT_UNVERIFIED=1.
require_md5() {
  local actual
  actual=$(digest md5 "$1")
  if [ "$actual" = "$2" ]; then echo "  $(basename "$1"): MD5 matches the value $3 pins"; return; fi
  echo "  $(basename "$1"): MD5 $actual differs from the value $3 pins ($2)" >&2
  [ "${PLACES2_ACCEPT_UNVERIFIED:-0}" = 1 ] \
    || fail "$1 is corrupt, truncated (run again to resume the download) or not the release. If you trust it anyway, run again with PLACES2_ACCEPT_UNVERIFIED=1. Nothing was laid out."
}

# check_list STAGED SPLIT: the list names the release's count of images, each once and each present.
check_list() {
  local staged=$1 split=$2 list=$1/$2.txt listed missing repeated
  [ -f "$list" ] || fail "the archive has no $split.txt beside its images; nothing was laid out"
  # A line is a path, maybe with a leading '/' and a class index after it.
  tr -d '\r' <"$list" | awk 'NF { sub(/^\//, "", $1); print $1 }' | LC_ALL=C sort >"$work/$split.listed"
  listed=$(wc -l <"$work/$split.listed")
  [ "$listed" = "${EXPECTED[$split]}" ] \
    || fail "$split.txt lists $listed images; the release lists ${EXPECTED[$split]}. This is not the Places365-Standard release, or it is incomplete; nothing was laid out."
  repeated=$(LC_ALL=C uniq -d "$work/$split.listed" | head -n 1)
  [ -z "$repeated" ] || fail "$split.txt lists $repeated more than once; nothing was laid out."
  # Every file under the top folder of the listed images (train/, val/ or val_256/), as paths relative to $staged.
  (cd "$staged" && find "$(dirname "$(head -n 1 "$work/$split.listed")" | cut -d/ -f1)" -type f) \
    | sed 's|^\./||' | LC_ALL=C sort >"$work/$split.present"
  missing=$(LC_ALL=C comm -23 "$work/$split.listed" "$work/$split.present" | wc -l)
  if [ "$missing" != 0 ]; then
    fail "$missing image(s) that $split.txt lists are not in the archive, the first $(LC_ALL=C comm -23 "$work/$split.listed" "$work/$split.present" | head -n 1); nothing was laid out."
  fi
  local extra
  extra=$(LC_ALL=C comm -13 "$work/$split.listed" "$work/$split.present" | wc -l)
  [ "$extra" = 0 ] || echo "Note: $extra file(s) beside the $split images are not in $split.txt (the loader reads only the list)." >&2
  echo "  $split: ${EXPECTED[$split]} images listed, each present"
}

parent=$(dirname "$target")
mkdir -p "$parent"
work=$(mktemp -d "$parent/.places2.tmp.XXXXXX")
unfinished+=("$work")

if [ $val_only = 1 ]; then
  # ---- The validation images alone: val_256.tar and the devkit's lists -------------------------------------------------
  val_tar=$(archive "$VAL_TAR" "$VAL_URL")
  filelist_tar=$(archive "$FILELIST_TAR" "$FILELIST_URL")
  echo "Checking the archives ..."
  require_md5 "$val_tar" "$VAL_MD5" torchvision
  require_md5 "$filelist_tar" "$FILELIST_MD5" torchvision
  staged=$work/places2
  mkdir -p "$staged" "$work/filelist"
  tar -xf "$filelist_tar" -C "$work/filelist" || fail "tar could not unpack $filelist_tar; nothing was laid out"
  devkit_list=$(find "$work/filelist" -type f -name places365_val.txt | head -n 1)
  [ -n "$devkit_list" ] || fail "$FILELIST_TAR holds no places365_val.txt; nothing was laid out"
  require_md5 "$devkit_list" "$VAL_LIST_MD5" torchvision
  echo "Unpacking $VAL_TAR ..."
  tar -xf "$val_tar" -C "$staged" || fail "tar could not unpack $val_tar; nothing was laid out"
  [ -d "$staged/val_256" ] || fail "$VAL_TAR holds no val_256 folder (found: $(ls "$staged" | tr '\n' ' ')); nothing was laid out"
  # The devkit names each image relative to val_256/; the loader wants paths relative to the dataset folder.
  tr -d '\r' <"$devkit_list" | awk 'NF { sub(/^\//, "", $1); $1 = "val_256/" $1; print }' >"$staged/val.txt"
  categories=$(find "$work/filelist" -type f -name categories_places365.txt | head -n 1)
  [ -z "$categories" ] || cp "$categories" "$staged/"
  check_list "$staged" val
else
  # ---- The easy-format release ------------------------------------------------------------------------------------------
  if [ -n "$from" ] && [ -d "$from" ] && [ -f "$from/train.txt" ] && [ -f "$from/val.txt" ]; then
    fail "--from $from is already unpacked: set NBH_DATA_PLACES2=$from (the loader reads it in place), or move it to $target."
  fi
  easy_tar=$(archive "$TAR" "$URL")
  echo "Checking $easy_tar ..."
  echo "  size $(stat -c %s "$easy_tar" 2>/dev/null || wc -c <"$easy_tar") bytes"
  actual=$(digest sha256 "$easy_tar")
  if [ -n "$SHA256" ]; then
    [ "$actual" = "$SHA256" ] || fail "$easy_tar: SHA-256 $actual, expected $SHA256. The file is corrupt or not the one recorded; nothing was laid out."
    echo "  SHA-256 as recorded"
  else
    echo "  SHA-256 $actual (no checksum is published for this archive: it is unverified beyond the list checks below;"
    echo "  once you trust it, record it as PLACES2_SHA256)"
  fi
  echo "Unpacking $(basename "$easy_tar") (this takes a while) ..."
  tar -xf "$easy_tar" -C "$work" || fail "tar could not unpack $easy_tar; nothing was laid out"
  lists=$(find "$work" -maxdepth 3 -type f -name val.txt | head -n 1)
  [ -n "$lists" ] || fail "$TAR holds no val.txt within three levels (found: $(ls "$work" | tr '\n' ' ')); nothing was laid out"
  staged=$(dirname "$lists")
  for split in train val; do check_list "$staged" "$split"; done
  for split in train val; do
    categories=$(find "$staged/$split" -mindepth 1 -maxdepth 1 -type d | wc -l)
    [ "$categories" = "$EXPECTED_CATEGORIES" ] || echo "Note: $split/ holds $categories category folders; Places365 has $EXPECTED_CATEGORIES." >&2
  done
fi

rm -f "$work"/*.listed "$work"/*.present
mv "$staged" "$target"
echo "Places2 laid out at $target"
if [ -z "$from" ] && [ $keep_downloads = 0 ]; then rm -rf "$downloads"; fi
exit 0
