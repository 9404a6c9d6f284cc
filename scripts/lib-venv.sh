# Shared by scripts/start and scripts/test: a project venv, reinstalled when pyproject.toml or
# requirements.lock changes.
#
# The pinned versions of requirements.lock (scripts/lock regenerates it) go in first; then Ayo
# itself with its extras, which finds those pins already satisfied and adds, unpinned, only a
# dependency the lock does not know yet (added to pyproject.toml since the lock was made). If
# the lock cannot be installed at all (a pin withdrawn, a Python it does not fit), say so and
# install from pyproject.toml alone rather than leave a broken venv.
ensure_venv() {
  local extras="$1"
  local python="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
  fi
  local stamp=".venv/.ayo-installed${extras}"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] \
    || { [ -f requirements.lock ] && [ requirements.lock -nt "$stamp" ]; }; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    if [ -f requirements.lock ]; then
      if ! .venv/bin/python -m pip install --quiet -r requirements.lock; then
        echo "warning: requirements.lock did not install; using pyproject.toml's ranges" >&2
      fi
    fi
    .venv/bin/python -m pip install --quiet -e ".${extras}"
    touch "$stamp"
  fi
}

# Ayo's own modules are imported from the source tree (an editable install). Where the
# environment sets PYTHONDONTWRITEBYTECODE (this kind of machine does; so does the image,
# whose non-editable `pip install .` compiles anyway), no process caches their bytecode and
# each one compiles some 350 modules again: about 0.3 s of every start of `ayo serve`, and of
# every server a test starts. Compile them once here; compileall skips what is up to date.
compile_ayo() {
  .venv/bin/python -m compileall -q -j 0 bot core integrations intents lessons scheduler >/dev/null
}
