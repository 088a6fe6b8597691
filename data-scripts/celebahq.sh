#!/usr/bin/env bash
# Lays out CelebA-HQ (Karras et al., ICLR 2018: 30,000 face photos from CelebA) as the library's loader
# (NotebookHelpers.Papers.Glcic.CelebAHq) expects it:
#
#   data/celebahq/*.jpg (or *.png)   the 30,000 images directly in the folder, at any resolution, named as the copy
#                                    names them (0.jpg ... 29999.jpg, or 00001.jpg ... 30000.jpg)
#
# (or $NBH_DATA_CELEBAHQ, or $NBH_DATA_DIR/celebahq). The loader's split is by file order, the last 2,000 images being
# val and the first 28,000 train; numbered names are ordered by their number.
#
# CelebA-HQ has no single official download of image files, so this script only lays out a copy you already have:
#
#   data-scripts/celebahq.sh --from ZIP   an archive holding the images (CelebAMask-HQ.zip, data256x256.zip, ...)
#   data-scripts/celebahq.sh --from DIR   a folder holding them, directly or in a subfolder (such as
#                                         CelebAMask-HQ/CelebA-HQ-img/), or holding such an archive
#
# The images are copied (the source is left as it was) into a temporary folder beside the target, which is renamed
# into place only when complete and checked.
#
# Where copies are usually obtained (none of them could be tried from the machine that wrote this script):
#   - the authors' way: github.com/tkarras/progressive_growing_of_gans, whose dataset_tool.py create_celebahq builds
#     CelebA-HQ from CelebA's in-the-wild images and the authors' delta files, into TFRecords (not image files: export
#     them as PNGs to use them here);
#   - CelebAMask-HQ (github.com/switchablenorms/CelebAMask-HQ; Google Drive or Baidu links in its README): the 30,000
#     images at 1024x1024 as CelebAMask-HQ/CelebA-HQ-img/0.jpg ... 29999.jpg, beside face-parsing masks;
#   - data256x256.zip, the 30,000 images at 256x256 as 00001.jpg ... 30000.jpg, on a Google Drive folder linked from
#     LaMa's README (github.com/advimman/lama), whose fetch_data/celebahq_dataset_prepare.sh renames them 0 ... 29999.
# Terms: CelebA and CelebAMask-HQ are for non-commercial research only, and forbid redistribution; obtain a copy under
# their agreements.
#
# Checks: exactly 30,000 PNG or JPEG images in the chosen folder (CELEBAHQ_ACCEPT_COUNT=1 lays out another number,
# such as a subset, with a note), and one image per name stem. A manifest digest (the SHA-256 of `sha256sum`'s lines
# for every file, in C-locale name order) is printed so a copy can be recognised later.
#
# NOT VERIFIED: no checksum of any copy is published, so none is checked; that the copies number the faces in
# CelebA-HQ's own order was not checked (CelebAMask-HQ's README says its images follow CelebA-HQ; where data256x256.zip
# comes from is not documented in the sources this was written from).
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$self")/.."
repo=$PWD

EXPECTED=30000

usage() { sed -n '2,/^set -euo/p' "$self" | sed '$d; s/^# \{0,1\}//'; }
fail() { echo "celebahq.sh: $*" >&2; exit 1; }
# Folders of unfinished work, removed however the script ends.
unfinished=()
trap 'rm -rf "${unfinished[@]}"' EXIT

from=""
while [ $# -gt 0 ]; do
  case $1 in
    --from) [ $# -ge 2 ] || fail "--from needs a folder or an archive"; from=$2; shift 2 ;;
    --from=*) from=${1#--from=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown argument '$1' (see --help)" ;;
  esac
done
[ -n "$from" ] || fail "CelebA-HQ has no single official download; give the copy you have with --from DIR or --from ZIP (--help says where copies are found)."

if [ -n "${NBH_DATA_CELEBAHQ:-}" ]; then target=$NBH_DATA_CELEBAHQ
elif [ -n "${NBH_DATA_DIR:-}" ]; then target=$NBH_DATA_DIR/celebahq
else target=$repo/data/celebahq; fi
target=${target%/}

if [ -e "$target" ]; then
  echo "CelebA-HQ is already at $target; remove that folder to lay it out again."
  exit 0
fi

command -v sha256sum >/dev/null || fail "sha256sum (GNU coreutils) is needed for the manifest digest"
if command -v unzip >/dev/null; then extract() { unzip -q "$1" -d "$2"; }
elif command -v python3 >/dev/null; then extract() { python3 -m zipfile -e "$1" "$2"; }
else extract() { fail "unzip (or python3) is needed to extract $1"; }; fi

# images DIR: how many PNG and JPEG files are directly in DIR.
images() { find "$1" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | wc -l; }

# image_folder DIR: DIR itself when it holds images, else the folder below it (five levels at most) holding the most,
# preferring one that holds exactly the expected number.
image_folder() {
  if [ "$(images "$1")" -gt 0 ]; then echo "$1"; return; fi
  local best="" best_count=0 folder count
  while IFS= read -r -d '' folder; do
    count=$(images "$folder")
    if [ "$count" = "$EXPECTED" ]; then echo "$folder"; return; fi
    if [ "$count" -gt "$best_count" ]; then best=$folder; best_count=$count; fi
  done < <(find "$1" -mindepth 1 -maxdepth 5 -type d -print0 | sort -z)
  echo "$best"
}

parent=$(dirname "$target")
mkdir -p "$parent"
work=$(mktemp -d "$parent/.celebahq.tmp.XXXXXX")
unfinished+=("$work")
staged=$work/celebahq

if [ -f "$from" ]; then
  archive=$from
elif [ -d "$from" ]; then
  archive=""
  source_folder=$(image_folder "$from")
  if [ -z "$source_folder" ]; then
    archive=$(find "$from" -maxdepth 1 -type f -iname '*.zip' | sort | head -n 1)
    [ -n "$archive" ] || fail "--from $from holds no PNG or JPEG image (five folders deep) and no .zip archive; nothing was laid out"
  fi
else
  fail "--from $from: no such folder or file"
fi
if [ -n "$archive" ]; then
  echo "Extracting $(basename "$archive") ..."
  mkdir -p "$work/unpacked"
  extract "$archive" "$work/unpacked" || fail "could not extract $archive; nothing was laid out"
  source_folder=$(image_folder "$work/unpacked")
  [ -n "$source_folder" ] || fail "$archive holds no PNG or JPEG image; nothing was laid out"
fi

count=$(images "$source_folder")
echo "Found $count images in ${source_folder#"$work/unpacked/"}"
if [ "$count" != "$EXPECTED" ]; then
  [ "${CELEBAHQ_ACCEPT_COUNT:-0}" = 1 ] \
    || fail "$source_folder holds $count images; CelebA-HQ has $EXPECTED. Give the folder that holds all of them, or run again with CELEBAHQ_ACCEPT_COUNT=1 to lay out these. Nothing was laid out."
  echo "Note: laying out $count images, not CelebA-HQ's $EXPECTED; the loader splits them in the same proportion." >&2
fi
clash=$(find "$source_folder" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) -printf '%f\n' \
  | sed 's/\.[^.]*$//' | sort | uniq -d | head -n 1)
[ -z "$clash" ] || fail "$source_folder holds two images named $clash (different extensions); keep one. Nothing was laid out."

mkdir -p "$staged"
find "$source_folder" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) -print0 \
  | xargs -0 cp -t "$staged" || fail "could not copy the images; nothing was laid out"
[ "$(images "$staged")" = "$count" ] || fail "copied $(images "$staged") of $count images; nothing was laid out"
names=$(find "$staged" -maxdepth 1 -type f -printf '%f\n' | sed 's/\.[^.]*$//' | grep -cv '^[0-9][0-9]*$' || true)
[ "$names" = 0 ] && echo "  every name is an index: the split follows the index" \
  || echo "Note: $names name(s) are not numbers; the loader orders all names as text." >&2
digest=$(cd "$staged" && LC_ALL=C find . -type f | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum | cut -d' ' -f1)
echo "  manifest digest $digest (record it to recognise this copy later)"

mv "$staged" "$target"
echo "CelebA-HQ laid out at $target ($count images)"
exit 0
