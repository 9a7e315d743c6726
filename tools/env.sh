# Shared paths for rvs's scripts; sourced, not run.
# The cache lives outside the repository so every clone reuses one kernel build.
RVS_CACHE=${RVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rvs}
RVS_BINDGEN=$RVS_CACHE/bindgen/bin/bindgen
RVS_VENV=$RVS_CACHE/venv
export RVS_CACHE RVS_BINDGEN RVS_VENV
# vng runs its helpers (virtme-run, ...) from PATH.
case ":$PATH:" in *":$RVS_VENV/bin:"*) ;; *) PATH=$RVS_VENV/bin:$PATH ;; esac
export PATH
