#!/bin/sh
# Builds ./bootstrap, a static Linux binary (Debian: apt-get install -y golang-go).
set -e
cd "$(dirname "$0")"
CGO_ENABLED=0 go build -trimpath -o bootstrap .
echo "built $(pwd)/bootstrap — deploy with: npx lambkin deploy $(pwd) --name hello-go"
