#!/usr/bin/env bash
# Lays out PASCAL VOC 2012 (the trainval release, VOCtrainval_11-May-2012.tar) as the library's loader
# (NotebookHelpers.Papers.SegNet.PascalVoc) expects it: the tar's VOCdevkit/VOC2012 folder, renamed to
#
#   data/voc2012/JPEGImages/*.jpg                       every image of the release (the segmentation ones among them)
#   data/voc2012/SegmentationClass/*.png                palette PNGs: index = class id 0..20, 255 = boundary / void
#   data/voc2012/SegmentationObject/*.png               palette PNGs: index = instance number in the image, 255 = boundary
#   data/voc2012/ImageSets/Segmentation/{train,val,trainval}.txt   one image id a line: 1,464 / 1,449 / 2,913
#   data/voc2012/Annotations/, ImageSets/{Main,Action,Layout}/      the rest of the release, kept as the tar has it
#
# (or $NBH_DATA_VOC2012, or $NBH_DATA_DIR/voc2012). The tar is unpacked into a temporary folder beside the target and
# renamed into place only when complete and checked, so an interrupted run never leaves a half-populated data/voc2012.
#
#   data-scripts/voc2012.sh --from DIR     lay out VOCtrainval_11-May-2012.tar already downloaded into DIR
#   data-scripts/voc2012.sh                download it first into <target>.downloads/ (resumable), then lay out
#   --keep-downloads                       keep <target>.downloads/ after a successful download
#
# Already unpacked elsewhere? Nothing needs copying: set NBH_DATA_VOC2012 to its VOCdevkit/VOC2012 folder (or to the
# folder holding VOCdevkit/, which the loader also reads).
#
# Checks, in order: the archive's MD5 (6cd6e144f989b92b3379bac3b3de84fd, the value torchvision's VOCSegmentation pins
# for this URL) and SHA-1 (4e443f8a2eca6b1dac8a6c57641b67dd40621a49, the value d2l and GluonCV pin); then, after
# unpacking, that each split file lists the release's number of ids and that every id has its JPEG and both masks.
# The archive's SHA-256 is printed (none is recorded yet: record it below once you trust the file).
#
# NOT VERIFIED FROM THE MACHINE THAT WROTE THIS SCRIPT (it had no internet access):
#   - that the URL below still serves the archive (host.robots.ox.ac.uk has been slow or down at times; a mirror can be
#     given with VOC2012_URL, e.g. the widely used pjreddie.com/media/files/VOCtrainval_11-May-2012.tar; the
#     checksums decide whether its file is the release);
#   - the checksums themselves: taken from those projects' sources, not computed here; the archive's size, about
#     2.0 GB (1,999,639,040 bytes as one third-party project records it), is only reported;
#   - the number of JPEG images (17,125 as third parties document it) is reported, not required.
# The split sizes (1,464 / 1,449 / 2,913) and the layout are those of the devkit's documentation and of torchvision.
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$self")/.."
repo=$PWD

# ---- What to fetch and how to check it --------------------------------------------------------------------------------
TAR=${VOC2012_TAR:-VOCtrainval_11-May-2012.tar}
URL=${VOC2012_URL:-http://host.robots.ox.ac.uk/pascal/VOC/voc2012/VOCtrainval_11-May-2012.tar}
MD5=6cd6e144f989b92b3379bac3b3de84fd                   # as pinned by torchvision (verify on first download)
SHA1=4e443f8a2eca6b1dac8a6c57641b67dd40621a49          # as pinned by d2l / GluonCV (verify on first download)
SHA256=${VOC2012_SHA256:-}                             # unknown: record it here once you trust the file

declare -A EXPECTED=([train]=1464 [val]=1449 [trainval]=2913)
EXPECTED_JPEGS=17125                                   # as third parties document it; a different count is a note
# ---------------------------------------------------------------------------------------------------------------------

usage() { sed -n '2,/^set -euo/p' "$self" | sed '$d; s/^# \{0,1\}//'; }
fail() { echo "voc2012.sh: $*" >&2; exit 1; }
# Folders of unfinished work, removed however the script ends.
unfinished=()
trap 'rm -rf "${unfinished[@]}"' EXIT

from=""; keep_downloads=0
while [ $# -gt 0 ]; do
  case $1 in
    --from) [ $# -ge 2 ] || fail "--from needs a folder"; from=$2; shift 2 ;;
    --from=*) from=${1#--from=}; shift ;;
    --keep-downloads) keep_downloads=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown argument '$1' (see --help)" ;;
  esac
done

if [ -n "${NBH_DATA_VOC2012:-}" ]; then target=$NBH_DATA_VOC2012
elif [ -n "${NBH_DATA_DIR:-}" ]; then target=$NBH_DATA_DIR/voc2012
else target=$repo/data/voc2012; fi
target=${target%/}

if [ -e "$target" ]; then
  echo "PASCAL VOC 2012 is already at $target; remove that folder to lay it out again."
  exit 0
fi

command -v tar >/dev/null || fail "tar is needed to unpack the archive"
# digest ALGORITHM FILE: the hex digest, by coreutils (md5sum, sha1sum, sha256sum) or else python3.
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

# ---- The archive: given, or downloaded -------------------------------------------------------------------------------
downloads=$target.downloads
if [ -n "$from" ]; then
  [ -d "$from" ] || fail "--from $from: no such folder"
  archive=$from/$TAR
  if [ ! -f "$archive" ]; then
    found=$(find "$from" -maxdepth 1 -type f -name '*.tar' -printf '%f ')
    fail "--from $from lacks $TAR (tar files there: ${found:-none}). Rename the download or set VOC2012_TAR to its name."
  fi
else
  command -v curl >/dev/null || fail "curl is needed to download; or download $TAR in a browser and use --from DIR"
  mkdir -p "$downloads"
  archive=$downloads/$TAR
  if [ -f "$archive" ]; then
    echo "$archive: downloaded before"
  else
    echo "Downloading $URL (about 2 GB) ..."
    curl -fL --retry 3 -C - -o "$archive.part" "$URL" \
      || fail "the download failed; run again to resume, set VOC2012_URL to a mirror, or download $TAR by hand and use --from DIR"
    mv "$archive.part" "$archive"
  fi
fi

# ---- Checksums ---------------------------------------------------------------------------------------------------------
echo "Checking $archive ..."
echo "  size $(stat -c %s "$archive" 2>/dev/null || wc -c <"$archive") bytes"
verified=0
actual=$(digest sha256 "$archive")
if [ -n "$SHA256" ]; then
  [ "$actual" = "$SHA256" ] || fail "$archive: SHA-256 $actual, expected $SHA256. The file is corrupt or not the release; nothing was laid out."
  echo "  SHA-256 as recorded"; verified=1
else
  echo "  SHA-256 $actual (none recorded yet: once you trust this file, record it as SHA256 in $self)"
fi
md5=$(digest md5 "$archive")
if [ "$md5" = "$MD5" ]; then echo "  MD5 $md5 matches the value torchvision pins"; verified=1
else echo "  MD5 $md5 differs from the value torchvision pins ($MD5)" >&2; fi
sha1=$(digest sha1 "$archive")
if [ "$sha1" = "$SHA1" ]; then echo "  SHA-1 $sha1 matches the value d2l and GluonCV pin"; verified=1
else echo "  SHA-1 $sha1 differs from the value d2l and GluonCV pin ($SHA1)" >&2; fi
if [ $verified = 0 ] && [ "${VOC2012_ACCEPT_UNVERIFIED:-0}" != 1 ]; then
  fail "no known checksum confirms $archive: it is corrupt, truncated (run again to resume the download) or not the release. If you trust it anyway, run again with VOC2012_ACCEPT_UNVERIFIED=1. Nothing was laid out."
fi

# ---- Unpack into a temporary folder beside the target, check, rename -------------------------------------------------
parent=$(dirname "$target")
mkdir -p "$parent"
work=$(mktemp -d "$parent/.voc2012.tmp.XXXXXX")
unfinished+=("$work")
echo "Unpacking $TAR ..."
tar -xf "$archive" -C "$work" || fail "tar could not unpack $archive; nothing was laid out"
staged=$work/VOCdevkit/VOC2012
[ -d "$staged" ] || fail "$TAR holds no VOCdevkit/VOC2012 folder (found: $(ls "$work" | tr '\n' ' ')); nothing was laid out"

for split in train val trainval; do
  list=$staged/ImageSets/Segmentation/$split.txt
  [ -f "$list" ] || fail "the archive lacks ImageSets/Segmentation/$split.txt; nothing was laid out"
  ids=$(grep -c '[^[:space:]]' "$list" || true)
  [ "$ids" = "${EXPECTED[$split]}" ] || fail "ImageSets/Segmentation/$split.txt lists $ids ids; the release lists ${EXPECTED[$split]}. This is not the VOC 2012 release; nothing was laid out."
  missing=0; first=""
  while read -r id _; do
    [ -n "$id" ] || continue
    for file in "JPEGImages/$id.jpg" "SegmentationClass/$id.png" "SegmentationObject/$id.png"; do
      if [ ! -f "$staged/$file" ]; then missing=$((missing + 1)); [ -n "$first" ] || first=$file; fi
    done
  done < <(tr -d '\r' <"$list")
  [ $missing = 0 ] || fail "$missing file(s) of the $split split are not in the archive, the first $first; nothing was laid out."
  echo "  $split: ${EXPECTED[$split]} ids, each with its JPEG, class mask and object mask"
done
jpegs=$(find "$staged/JPEGImages" -maxdepth 1 -type f -name '*.jpg' | wc -l)
[ "$jpegs" = "$EXPECTED_JPEGS" ] || echo "Note: JPEGImages holds $jpegs images; third parties document $EXPECTED_JPEGS." >&2

mv "$staged" "$target"
echo "PASCAL VOC 2012 laid out at $target ($jpegs images in JPEGImages)"
if [ -z "$from" ] && [ $keep_downloads = 0 ]; then rm -rf "$downloads"; fi
exit 0
