#!/usr/bin/env bash
# The notebook kernel end to end, as Jupyter runs it: the kernelspec installed into a virtualenv
# of its own, demo data ingested into a fresh store, then (pytest) the official kernel test suite
# jupyter_kernel_test, nbclient executing notebooks/annual-evaluation.ipynb with its counts checked
# against the command line, a badly signed message that must not run, interrupt and restart.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
build_native
bin=$PWD/target/debug/sunlight
venv=$PWD/target/venv-notebook
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  'jupyter_client==8.10.0' 'jupyter_kernel_test==0.7.0' 'nbclient==0.11.0' 'nbformat==5.11.1' 'pytest==9.2.0'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The kernelspec goes into the virtualenv (sys.prefix of its python), nowhere else; Jupyter's own
# folders point into the scratch folder so nothing of the user's is read or written.
PATH="$venv/bin:$PATH" "$bin" kernel install --sys-prefix >/dev/null
spec="$venv/share/jupyter/kernels/sunlight/kernel.json"
grep -q '"display_name": "Sunlight SQL"' "$spec"
grep -qF "\"$bin\"" "$spec"

"$bin" demo-data --out "$work/demo" --units 1 --years 2012..2014 --seed 7 >/dev/null
"$bin" ingest "$work/demo/submissions" --store "$work/store" --quiet >/dev/null

export SUNLIGHT_STORE="$work/store" SUNLIGHT_BIN="$bin"
export JUPYTER_DATA_DIR="$work/jupyter-data" JUPYTER_CONFIG_DIR="$work/jupyter-config"
export JUPYTER_RUNTIME_DIR="$work/jupyter-runtime" JUPYTER_PLATFORM_DIRS=1
cd tests/notebook
"$venv/bin/python" -m pytest -q -p no:cacheprovider .
