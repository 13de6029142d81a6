#!/usr/bin/env bash
# The consumer test: the library as a new user gets it, outside the solution.
#  1. Packs Microsoft.ML.Recurrent, .Networks and .Onnx into a folder feed (a unique prerelease version per run, so
#     the global package cache never serves a stale copy).
#  2. For each Microsoft.ML version given (default: 6.0.0 and 5.0.1): `dotnet new console` in a temporary folder whose
#     own nuget.config names the feed folder; adds Microsoft.ML.Recurrent and that Microsoft.ML; builds with warnings as
#     errors; calls raw TorchSharp, trains a small text classifier, saves, loads and predicts in a second process;
#     publishes, runs the published app twice and checks that it wrote nothing into its own folder.
#  3. An ONNX-only app referencing Microsoft.ML.Recurrent.Onnx alone scores the deployment the first app exported; its
#     published folder must hold no TorchSharp or LibTorch file. Prints the published sizes of a training app, the
#     ONNX-only app, and the same ONNX-only app built on Microsoft.ML.Recurrent (what it had to ship before the split).
# Usage: test/Consumer/run.sh [MLNET_VERSION...]
set -euo pipefail
# The apps below live outside the repository (no Directory.Build.props): MSBuild reads these environment variables as
# properties, so LibTorch is hard-linked from the NuGet cache into their output and publish folders, not copied
# (each app would otherwise write 1.5 GB; CI ran out of disk).
export CreateHardLinksForCopyLocalIfPossible=true CreateHardLinksForPublishFilesIfPossible=true
repo=$(cd "$(dirname "$0")/../.." && pwd)
here="$repo/test/Consumer"
versions=("$@")
[ ${#versions[@]} -eq 0 ] && versions=(6.0.0 5.0.1)

work=$(mktemp -d /tmp/recurrent-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT
feed="$work/feed"
suffix="consumer.$(date +%s)"
package_version="$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$repo/Directory.Build.props")-$suffix"

step() { echo "consumer-test: $*"; }

step "packing $package_version into $feed"
for project in Microsoft.ML.Recurrent.Onnx Microsoft.ML.Recurrent.Networks Microsoft.ML.Recurrent; do
  # A separate artifacts folder: packing restores with the declared ranges and must not touch the repository's build.
  dotnet pack "$repo/src/$project/$project.csproj" -c Release -o "$feed" --version-suffix "$suffix" \
    -p:ArtifactsPath="$work/artifacts" -warnaserror -nologo -v:q
done

new_app() { # new_app FOLDER SOURCE_DIR
  dotnet new console -o "$1" --framework net10.0 --force >/dev/null
  cp "$2/Program.cs" "$1/Program.cs"
  cat > "$1/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="recurrent-feed" value="$feed" />
  </packageSources>
</configuration>
CONFIG
}

# Lists every file of a folder with its size, time and digest: what a run must leave unchanged.
fingerprint() { (cd "$1" && find . -type f -printf '%p %s %T@\n' | sort && find . -type f -newer "$2" -print | sort | sed 's/^/NEWER /'); }

size_of() { du -sb "$1" | cut -f1; }

for mlnet in "${versions[@]}"; do
  app="$work/training-$mlnet"
  data="$work/data-$mlnet"
  mkdir -p "$data"
  step "Microsoft.ML $mlnet: new console app $app"
  new_app "$app" "$here/TrainingApp"
  dotnet add "$app" package Microsoft.ML.Recurrent --version "$package_version" >/dev/null
  dotnet add "$app" package Microsoft.ML --version "$mlnet" >/dev/null
  dotnet build "$app" -c Release -warnaserror -nologo -v:q
  name=$(basename "$app")
  out="$app/bin/Release/net10.0"
  dotnet "$out/$name.dll" train "$data"
  dotnet "$out/$name.dll" predict "$data"

  step "Microsoft.ML $mlnet: publish and run the published app"
  publish="$app/publish"
  dotnet publish "$app" -c Release -o "$publish" -warnaserror -nologo -v:q
  marker="$work/marker-$mlnet"
  touch "$marker"
  sleep 1
  before=$(fingerprint "$publish" "$marker")
  mkdir -p "$data/published"
  dotnet "$publish/$name.dll" train "$data/published"
  dotnet "$publish/$name.dll" predict "$data/published"
  after=$(fingerprint "$publish" "$marker")
  if [ "$before" != "$after" ]; then
    echo "consumer-test: the published app changed its own folder:" >&2
    diff <(echo "$before") <(echo "$after") >&2 || true
    exit 1
  fi
  step "Microsoft.ML $mlnet: the published app wrote nothing into its folder"

  if [ "$mlnet" = "${versions[0]}" ]; then
    # How a CUDA user leaves the CPU build of LibTorch out (docs/platform.md): no libtorch-cpu file nor deps.json entry
    # remains, so a TorchSharp CUDA package's files (same names) cannot collide with it.
    dotnet publish "$app" -c Release -o "$app/publish-nocpu" -p:RecurrentLibTorchCpu=false -warnaserror -nologo -v:q
    if find "$app/publish-nocpu" -name 'libtorch_cpu*' | grep -q . || grep -q '"libtorch-cpu' "$app/publish-nocpu/$name.deps.json"; then
      echo "consumer-test: RecurrentLibTorchCpu=false left the CPU build of LibTorch in the publish folder" >&2
      exit 1
    fi
    step "RecurrentLibTorchCpu=false leaves the CPU build of LibTorch out"
  fi

  onnx="$work/onnx-$mlnet"
  step "Microsoft.ML $mlnet: ONNX-only app $onnx"
  new_app "$onnx" "$here/OnnxApp"
  dotnet add "$onnx" package Microsoft.ML.Recurrent.Onnx --version "$package_version" >/dev/null
  dotnet add "$onnx" package Microsoft.ML --version "$mlnet" >/dev/null
  dotnet publish "$onnx" -c Release -o "$onnx/publish" -warnaserror -nologo -v:q
  if find "$onnx/publish" \( -iname 'TorchSharp*' -o -iname 'libtorch*' -o -iname 'libLibTorchSharp*' -o -iname 'libc10*' \) | grep -q .; then
    echo "consumer-test: the ONNX-only app ships TorchSharp or LibTorch files" >&2
    exit 1
  fi
  if grep -qi torchsharp "$onnx/publish/$(basename "$onnx").deps.json"; then
    echo "consumer-test: the ONNX-only app's dependency graph names TorchSharp" >&2
    exit 1
  fi
  dotnet "$onnx/publish/$(basename "$onnx").dll" "$data"

  if [ "$mlnet" = "${versions[0]}" ]; then
    # The same ONNX-only app as it had to be built before the split: on Microsoft.ML.Recurrent, which brings LibTorch.
    before_split="$work/onnx-before-split"
    new_app "$before_split" "$here/OnnxApp"
    dotnet add "$before_split" package Microsoft.ML.Recurrent --version "$package_version" >/dev/null
    dotnet add "$before_split" package Microsoft.ML --version "$mlnet" >/dev/null
    dotnet publish "$before_split" -c Release -o "$before_split/publish" -warnaserror -nologo -v:q
    dotnet "$before_split/publish/$(basename "$before_split").dll" "$data"
    step "published sizes (bytes) on Microsoft.ML $mlnet: training app $(size_of "$publish"), ONNX-only app $(size_of "$onnx/publish"), ONNX-only app on Microsoft.ML.Recurrent $(size_of "$before_split/publish")"
  fi
done
step "passed for Microsoft.ML ${versions[*]}"
