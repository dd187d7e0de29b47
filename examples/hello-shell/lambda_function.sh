# The handler: $1 is the event (JSON). What it prints is the result; a non-zero exit is an error.
INVOCATIONS=0

lambda_handler() {
  INVOCATIONS=$((INVOCATIONS + 1)) # kept while the environment is warm
  NAME="$(printf '%s' "$1" | sed -n 's/.*"name" *: *"\([^"]*\)".*/\1/p')"
  echo "hello-shell called for ${NAME:-world}" >&2 # a log line
  printf '{"message":"Hello, %s!","from":"shell","invocations":%d}' "${NAME:-world}" "$INVOCATIONS"
}
