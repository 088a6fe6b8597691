#!/usr/bin/env bash
# Downloads torchvision's ImageNet checkpoints into weights/ (or $NBH_WEIGHTS_DIR) and checks each file's SHA-256
# against the prefix torchvision puts in its name. A download goes to a temporary file that is moved into place only
# once its hash is right, so an interrupted or corrupt download never leaves a bad file under the real name.
#
#   data-scripts/weights.sh                 all four (about 1.7 GB)
#   data-scripts/weights.sh vgg16 resnet50  only these (vgg16, vgg16_bn, vgg19, resnet50)
#
# The files load as they are (PyTorch's zip and legacy formats are both read); `nbh weights check --model M FILE`
# checks one against the library's backbone.
set -euo pipefail
cd "$(dirname "$0")/.."
folder=${NBH_WEIGHTS_DIR:-weights}
base=https://download.pytorch.org/models

declare -A files=(
  [vgg16]=vgg16-397923af.pth
  [vgg16_bn]=vgg16_bn-6c64b313.pth
  [vgg19]=vgg19-dcbb9e9d.pth
  [resnet50]=resnet50-0676ba61.pth
)

models=("$@")
[ ${#models[@]} -eq 0 ] && models=(vgg16 vgg16_bn vgg19 resnet50)
for model in "${models[@]}"; do
  if [ -z "${files[$model]:-}" ]; then
    echo "Unknown model '$model'. Use: ${!files[*]}" >&2
    exit 2
  fi
done

if command -v curl >/dev/null; then fetch() { curl -fL --retry 3 -o "$2" "$1"; }
elif command -v wget >/dev/null; then fetch() { wget -q --show-progress -O "$2" "$1"; }
else echo "Neither curl nor wget is installed." >&2; exit 1; fi

mkdir -p "$folder"
for model in "${models[@]}"; do
  file=${files[$model]}
  target="$folder/$file"
  prefix=${file##*-}; prefix=${prefix%.pth}
  if [ -f "$target" ] && sha256sum "$target" | grep -q "^$prefix"; then
    echo "$target: present, SHA-256 starts with $prefix"
    continue
  fi
  temp=$(mktemp "$folder/.$file.XXXXXX")
  trap 'rm -f "$temp"' EXIT
  echo "Downloading $file ..."
  fetch "$base/$file" "$temp"
  actual=$(sha256sum "$temp" | cut -c1-${#prefix})
  if [ "$actual" != "$prefix" ]; then
    echo "$file: SHA-256 starts with $actual, expected $prefix; the download is corrupt, nothing was kept." >&2
    exit 1
  fi
  mv "$temp" "$target"
  trap - EXIT
  echo "$target: SHA-256 starts with $prefix as its name says"
done
