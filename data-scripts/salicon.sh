#!/usr/bin/env bash
# Lays out SALICON (the LSUN 2017 release, salicon.net/challenge-2017) as the library's loader expects it:
#
#   data/salicon/images/{train,val,test}/COCO_*.jpg     640x480 MS COCO 2014 images (10,000 / 5,000 / 5,000)
#   data/salicon/maps/{train,val}/COCO_*.png            8-bit grey saliency (density) maps
#   data/salicon/fixations/{train,val}/COCO_*.png       binary fixation maps, 255 = fixated (made from the .mat files)
#   data/salicon/fixations-mat/{train,val}/COCO_*.mat   the release's fixations as it ships them
#
# (or $NBH_DATA_SALICON, or $NBH_DATA_DIR/salicon). Everything is written into a temporary folder beside the target
# and renamed into place only when complete, so an interrupted run never leaves a half-populated data/salicon.
#
#   data-scripts/salicon.sh --from DIR        lay out the three archives already downloaded into DIR (the usual way:
#                                             Google Drive often wants a browser for files this large)
#   data-scripts/salicon.sh                   download them first into <target>.downloads/ (resumable), then lay out
#   data-scripts/salicon.sh --convert-fixations
#                                             only make fixations/ from fixations-mat/ of an existing data/salicon
#   --no-fixations                            do without the fixations archive (training needs only images and maps)
#   --keep-downloads                          keep <target>.downloads/ after a successful download
#
# The three archives, as salicon.net links them (Google Drive; file names can be changed with the variables below):
#   images.zip     "Images (3.0G)": images/{train,val,test}/COCO_{train,val,test}2014_*.jpg
#   maps.zip       the saliency maps (0.4G; projects that use it say salicon.net labels the link "Fixation Maps"):
#                  COCO_*.png for train and val. These are blurred density maps, not binary fixation maps.
#   fixations.zip  "Fixations" (1.4G): one MATLAB file per image, COCO_*.mat, for train and val. Each holds `gaze`, one
#                  struct per observer, whose field `fixations` is an N x 2 list of [x y] pixel coordinates, 1-based
#                  (MATLAB), in the 640x480 image; `location` holds the raw mouse samples and `timestamp` their times
#                  (the structure pysaliency's SALICON reader relies on).
#                  SALICON 2017 ships no fixation images, and the 2015 release's JSON annotations differ from these.
# Files are found inside each archive by name (COCO_train2014_*.jpg, ...), so the archives' folder layout may vary.
#
# The .mat files become fixation PNGs through `nbh data salicon-fixations --mat DIR --out DIR` (NotebookHelpers.Cli).
# This script calls that command but does not implement it: when it is not there, the dataset is installed without
# fixations/, the .mat files are kept in fixations-mat/, and the message says what to run later
# (`data-scripts/salicon.sh --convert-fixations`). Meanwhile Salicon.Load(..., withFixations: false) trains.
# The command must write, per COCO_x.mat, an 8-bit grey COCO_x.png of the image's size (640x480) that is 255 at the
# pixel of every fixation of every observer (x-1, y-1; points outside the image dropped) and 0 elsewhere.
#
# NOT VERIFIED FROM THE MACHINE THAT WROTE THIS SCRIPT (it had no internet access):
#   - the Google Drive ids below: several public projects cite them as salicon.net's links;
#   - the archives' file names, and their inner layout (pysaliency reads images.zip as images/{train,val,test}/);
#   - the .mat structure described above;
#   - every checksum: no SHA-256 is recorded yet. The MD5 values are the ones the pysaliency project pins for the
#     same Drive files. Without a recorded SHA-256 the script prints the one it computed (record it below once you
#     trust the file) and goes on only when the archive's MD5 matches a pinned value or SALICON_ACCEPT_UNVERIFIED=1.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

# ---- What to fetch and how to check it (verify on first download) -------------------------------------------------
IMAGES_ZIP=${SALICON_IMAGES_ZIP:-images.zip}
MAPS_ZIP=${SALICON_MAPS_ZIP:-maps.zip}
FIXATIONS_ZIP=${SALICON_FIXATIONS_ZIP:-fixations.zip}

IMAGES_DRIVE_ID=1g8j-hTT-51IG1UFwP0xTGhLdgIUCW5e5      # verify on first download
MAPS_DRIVE_ID=1PnO7szbdub1559LfjYHMy65EDC4VhJC8        # verify on first download
FIXATIONS_DRIVE_ID=1P-jeZXCsjoKO79OhFUgnj6FGcyvmLDPj   # verify on first download
DRIVE_URL='https://drive.usercontent.google.com/download?export=download&confirm=t&id='

IMAGES_SHA256=${SALICON_SHA256_IMAGES:-}               # unknown: verify on first download and record it here
MAPS_SHA256=${SALICON_SHA256_MAPS:-}                   # unknown: verify on first download and record it here
FIXATIONS_SHA256=${SALICON_SHA256_FIXATIONS:-}         # unknown: verify on first download and record it here

IMAGES_MD5=eb2a1bb706633d1b31fc2e01422c5757            # as pinned by pysaliency (third party; verify)
MAPS_MD5=                                              # unknown
FIXATIONS_MD5=462b70f4f9e8ea446ac628e46cea8d3d         # as pinned by pysaliency (third party; verify)

# How many files of each kind the release has; a different count is reported, not fatal.
declare -A EXPECTED=([images/train]=10000 [images/val]=5000 [images/test]=5000
                     [maps/train]=10000 [maps/val]=5000 [fixations-mat/train]=10000 [fixations-mat/val]=5000)
# ---------------------------------------------------------------------------------------------------------------------

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
fail() { echo "salicon.sh: $*" >&2; exit 1; }
# Folders of unfinished work, removed however the script ends.
unfinished=()
trap 'rm -rf "${unfinished[@]}"' EXIT

from=""; with_fixations=1; keep_downloads=0; convert_only=0
while [ $# -gt 0 ]; do
  case $1 in
    --from) [ $# -ge 2 ] || fail "--from needs a folder"; from=$2; shift 2 ;;
    --from=*) from=${1#--from=}; shift ;;
    --no-fixations) with_fixations=0; shift ;;
    --keep-downloads) keep_downloads=1; shift ;;
    --convert-fixations) convert_only=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown argument '$1' (see --help)" ;;
  esac
done

if [ -n "${NBH_DATA_SALICON:-}" ]; then target=$NBH_DATA_SALICON
elif [ -n "${NBH_DATA_DIR:-}" ]; then target=$NBH_DATA_DIR/salicon
else target=$repo/data/salicon; fi
target=${target%/}

# The nbh command line: $NBH if set, else nbh on the PATH, else the CLI project through dotnet.
nbh() {
  if [ -n "${NBH:-}" ]; then $NBH "$@"
  elif command -v nbh >/dev/null; then command nbh "$@"
  else dotnet run --project "$repo/src/NotebookHelpers.Cli" -- "$@"; fi
}

# Converts DIR/fixations-mat/{train,val} into DIR/fixations/{train,val} (written aside, renamed when complete).
# Returns 2 when the nbh command does not exist yet, 1 when it fails.
convert_fixations() {
  local root=$1 split temp
  if ! nbh data salicon-fixations --help >/dev/null 2>&1; then
    return 2
  fi
  temp=$(mktemp -d "$root/.fixations.tmp.XXXXXX") || return 1
  unfinished+=("$temp")
  for split in train val; do
    echo "Converting fixations-mat/$split to fixation maps ..."
    nbh data salicon-fixations --mat "$root/fixations-mat/$split" --out "$temp/$split" || return 1
  done
  mv "$temp" "$root/fixations" || return 1
}

later_conversion_note() {
  cat >&2 <<EOF
No fixation maps yet: 'nbh data salicon-fixations' is not available (set NBH to an nbh command line, or build
src/NotebookHelpers.Cli). The release's fixations are kept in $1/fixations-mat/. Once the command exists, run
  data-scripts/salicon.sh --convert-fixations
Until then Salicon.Load(split, withFixations: false) trains on images and maps; the fixation metrics need the maps.
EOF
}

if [ $convert_only = 1 ]; then
  [ -d "$target/fixations-mat" ] || fail "no $target/fixations-mat to convert; lay out the dataset first"
  [ ! -e "$target/fixations" ] || fail "$target/fixations exists already; remove it to convert again"
  status=0; convert_fixations "$target" || status=$?
  [ $status = 2 ] && { later_conversion_note "$target"; exit 1; }
  [ $status = 0 ] || fail "the conversion failed; $target is unchanged"
  echo "Fixation maps written to $target/fixations"
  exit 0
fi

if [ -e "$target" ]; then
  echo "SALICON is already at $target; remove that folder to lay it out again."
  exit 0
fi

command -v sha256sum >/dev/null || fail "sha256sum is needed to check the archives"
if command -v unzip >/dev/null; then extract() { unzip -q "$1" -d "$2"; }
elif command -v python3 >/dev/null; then extract() { python3 -m zipfile -e "$1" "$2"; }
else fail "unzip (or python3) is needed to extract the archives"; fi

kinds=(images maps); [ $with_fixations = 1 ] && kinds+=(fixations)
archive_of() { case $1 in images) echo "$IMAGES_ZIP";; maps) echo "$MAPS_ZIP";; fixations) echo "$FIXATIONS_ZIP";; esac; }
drive_id_of() { case $1 in images) echo "$IMAGES_DRIVE_ID";; maps) echo "$MAPS_DRIVE_ID";; fixations) echo "$FIXATIONS_DRIVE_ID";; esac; }
sha256_of() { case $1 in images) echo "$IMAGES_SHA256";; maps) echo "$MAPS_SHA256";; fixations) echo "$FIXATIONS_SHA256";; esac; }
md5_of() { case $1 in images) echo "$IMAGES_MD5";; maps) echo "$MAPS_MD5";; fixations) echo "$FIXATIONS_MD5";; esac; }

# ---- The archives: given, or downloaded ------------------------------------------------------------------------------
downloads=$target.downloads
if [ -n "$from" ]; then
  [ -d "$from" ] || fail "--from $from: no such folder"
  source_dir=$from
  missing=()
  for kind in "${kinds[@]}"; do [ -f "$from/$(archive_of "$kind")" ] || missing+=("$(archive_of "$kind")"); done
  if [ ${#missing[@]} -gt 0 ]; then
    found=$(find "$from" -maxdepth 1 -type f -name '*.zip' -printf '%f ')
    fail "--from $from lacks ${missing[*]} (zip files there: ${found:-none}). Rename the downloads, set SALICON_IMAGES_ZIP / SALICON_MAPS_ZIP / SALICON_FIXATIONS_ZIP to their names, or pass --no-fixations to do without fixations.zip."
  fi
else
  command -v curl >/dev/null || fail "curl is needed to download; or download the archives in a browser and use --from DIR"
  mkdir -p "$downloads"
  source_dir=$downloads
  for kind in "${kinds[@]}"; do
    file=$downloads/$(archive_of "$kind")
    [ -f "$file" ] && { echo "$file: downloaded before"; continue; }
    echo "Downloading $(archive_of "$kind") from Google Drive (id $(drive_id_of "$kind")) ..."
    curl -fL --retry 3 -C - -o "$file.part" "$DRIVE_URL$(drive_id_of "$kind")" \
      || fail "the download of $(archive_of "$kind") failed; run again to resume, or download it in a browser and use --from DIR"
    if [ "$(head -c 2 "$file.part")" != "PK" ]; then
      mv "$file.part" "$file.html"
      fail "Google Drive sent a web page instead of $(archive_of "$kind") (kept as $file.html: quota or confirmation page?). Download it in a browser from salicon.net/challenge-2017 and run: data-scripts/salicon.sh --from DIR"
    fi
    mv "$file.part" "$file"
  done
fi

# ---- Checksums ---------------------------------------------------------------------------------------------------------
unverified=()
for kind in "${kinds[@]}"; do
  file=$source_dir/$(archive_of "$kind")
  echo "Checking $file ..."
  actual=$(sha256sum "$file" | cut -d' ' -f1)
  expected=$(sha256_of "$kind")
  if [ -n "$expected" ]; then
    [ "$actual" = "$expected" ] || fail "$file: SHA-256 $actual, expected $expected. The file is corrupt or not the release; nothing was laid out."
    echo "  SHA-256 as recorded"
    continue
  fi
  echo "  SHA-256 $actual (none recorded yet: once you trust this file, record it as ${kind^^}_SHA256 in $0)"
  pinned=$(md5_of "$kind")
  if [ -n "$pinned" ] && command -v md5sum >/dev/null; then
    md5=$(md5sum "$file" | cut -d' ' -f1)
    if [ "$md5" = "$pinned" ]; then echo "  MD5 $md5 matches the value pysaliency pins"; continue; fi
    echo "  MD5 $md5 differs from the value pysaliency pins ($pinned): corrupt, or re-uploaded since" >&2
  fi
  unverified+=("$(archive_of "$kind")")
done
if [ ${#unverified[@]} -gt 0 ] && [ "${SALICON_ACCEPT_UNVERIFIED:-0}" != 1 ]; then
  fail "no recorded checksum confirms ${unverified[*]}. Check the SHA-256 printed above (e.g. against a colleague's copy), then record it in the script or run again with SALICON_ACCEPT_UNVERIFIED=1. Nothing was laid out."
fi

# ---- Layout, in a temporary folder beside the target -----------------------------------------------------------------
parent=$(dirname "$target")
mkdir -p "$parent"
work=$(mktemp -d "$parent/.salicon.tmp.XXXXXX")
unfinished+=("$work")
staged=$work/salicon
mkdir -p "$staged"

# Moves every file named like PATTERN found under FROM into TO (flat). Prints how many.
gather() {
  local from=$1 pattern=$2 to=$3
  mkdir -p "$to"
  find "$from" -type f -name "$pattern" -exec mv -t "$to" -- {} +
  find "$to" -maxdepth 1 -type f -name "$pattern" | wc -l
}

for kind in "${kinds[@]}"; do
  echo "Extracting $(archive_of "$kind") ..."
  mkdir -p "$work/$kind"
  extract "$source_dir/$(archive_of "$kind")" "$work/$kind"
done

declare -A counted
for split in train val test; do counted[images/$split]=$(gather "$work/images" "COCO_${split}2014_*.jpg" "$staged/images/$split"); done
# The maps are PNG as far as known; a JPEG would load as well.
for split in train val; do counted[maps/$split]=$(gather "$work/maps" "COCO_${split}2014_*.[jp][pn]g" "$staged/maps/$split"); done
if [ $with_fixations = 1 ]; then
  for split in train val; do
    counted[fixations-mat/$split]=$(gather "$work/fixations" "COCO_${split}2014_*.mat" "$staged/fixations-mat/$split")
  done
fi
rm -rf "${work:?}/images" "${work:?}/maps" "${work:?}/fixations"

for folder in "${!counted[@]}"; do
  n=${counted[$folder]}
  [ "$n" -gt 0 ] || fail "found no files for $folder in the archives; their layout is not what this script expects. Nothing was laid out."
  [ "$n" = "${EXPECTED[$folder]}" ] || echo "Note: $folder has $n files; the release as documented has ${EXPECTED[$folder]}." >&2
done

converted=0
if [ $with_fixations = 1 ]; then
  status=0; convert_fixations "$staged" || status=$?
  case $status in
    0) converted=1 ;;
    2) ;;
    *) fail "'nbh data salicon-fixations' failed; nothing was laid out" ;;
  esac
fi

mv "$staged" "$target"
echo "SALICON laid out at $target"
for folder in $(printf '%s\n' "${!counted[@]}" | sort); do echo "  $folder: ${counted[$folder]} files"; done
[ $with_fixations = 1 ] && [ $converted = 0 ] && later_conversion_note "$target"
[ $with_fixations = 0 ] && echo "No fixations: Salicon.Load(split, withFixations: false) trains; the fixation metrics need them."
if [ -z "$from" ] && [ $keep_downloads = 0 ]; then rm -rf "$downloads"; fi
exit 0
