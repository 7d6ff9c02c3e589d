#!/bin/sh
# Starts the Ollama server and makes sure it has the model OLLAMA_MODEL names: baked into the image (Dockerfile) it
# is there already; otherwise (Dockerfile.pull) it is pulled now. The server keeps running in the foreground.
set -eu
: "${OLLAMA_MODEL:?OLLAMA_MODEL names the model to serve}"
ollama serve &
server=$!
trap 'kill -TERM "$server" 2> /dev/null' TERM INT
i=0
until ollama list > /dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -gt 60 ]; then
        echo "ollama serve did not answer within 60 s" >&2
        exit 1
    fi
    sleep 1
done
if ollama show "$OLLAMA_MODEL" > /dev/null 2>&1; then
    echo "model $OLLAMA_MODEL is in the image"
else
    echo "pulling model $OLLAMA_MODEL"
    ollama pull "$OLLAMA_MODEL"
fi
wait "$server"
