// Probes for custom runtimes in the pre-start pool (prestart-provided.test.ts): a shell bootstrap
// and a Go one, each reporting what a process can see of how it was started — its start-up
// environment in order (/proc/self/environ), pid and parent, argv, cwd, open fds and stdin, /tmp,
// resource limits, signal mask and dispositions, capabilities, no_new_privs and seccomp
// (/proc/self/status; not SigQ, a count of the whole user's queued signals), umask, and the
// processes it can see. The shell one also allocates past its memory limit when asked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGo } from '../conformance/runtime-packages.js';
import type { Files } from '../helpers/zip.js';

/** What both probes answer; text fields are base64 of what was read. */
export interface ProviderReply {
  environ: string;
  pid: number;
  ppid: number;
  argv: string;
  cwd: string;
  fd0: string;
  fds: string;
  tmp: string;
  limits: string;
  status: string;
  umask: string;
  procs: string;
  alloc?: number;
}

// Only builtins between the Runtime API calls where the answer depends on it (the process list is
// read with `read`, so no fork of the probe's own shows in it).
const SHELL_BOOTSTRAP = `#!/bin/sh
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
echo "init line"
if [ -n "\${FAIL_INIT:-}" ]; then
  curl -sS -o /dev/null -X POST "$API/init/error" -d '{"errorMessage":"broken at init","errorType":"ProbeInitError"}'
  exit 1
fi
b() { base64 -w0; }
while :; do
  RESP=$(curl -sS -i "$API/invocation/next")
  ID=$(printf '%s\\n' "$RESP" | tr -d '\\r' | sed -n 's/^lambda-runtime-aws-request-id: *//Ip')
  echo "handler line"
  ALLOC=null
  case "$RESP" in *'"op":"alloc"'*) dd if=/dev/zero of=/dev/null bs=300M count=1 2>/dev/null; ALLOC=$? ;; esac
  case "$RESP" in *'"op":"sleep"'*) sleep 2 ;; esac
  PROCS=
  for p in /proc/[0-9]*; do
    read -r pid comm state ppid rest < "$p/stat" 2>/dev/null || continue
    PROCS="$PROCS$pid $comm $ppid
"
  done
  read -r _ _ _ PARENT _ < /proc/$$/stat
  BODY="{\\"environ\\":\\"$(b < /proc/$$/environ)\\",\\"pid\\":$$,\\"ppid\\":$PARENT,\\"argv\\":\\"$(b < /proc/$$/cmdline)\\",
\\"cwd\\":\\"$(readlink /proc/$$/cwd | b)\\",\\"fd0\\":\\"$(readlink /proc/$$/fd/0 | b)\\",\\"fds\\":\\"$(ls /proc/$$/fd | b)\\",
\\"tmp\\":\\"$(ls -A "\${TMPDIR:-/tmp}" | b)\\",\\"limits\\":\\"$(b < /proc/$$/limits)\\",
\\"status\\":\\"$(grep -E '^(Sig(Ign|Blk|Cgt)|Cap|NoNewPrivs|Seccomp)' /proc/$$/status | b)\\",\\"umask\\":\\"$(umask | b)\\",
\\"procs\\":\\"$(printf '%s' "$PROCS" | b)\\",\\"alloc\\":$ALLOC}"
  curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" --data-binary "$BODY"
done
`;

export function shellProbe(): Files {
  return { bootstrap: { content: SHELL_BOOTSTRAP, mode: 0o755 } };
}

const GO_MAIN = `package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

func b(data []byte) string { return base64.StdEncoding.EncodeToString(data) }
func file(p string) string  { d, _ := os.ReadFile(p); return b(d) }
func link(p string) string  { l, _ := os.Readlink(p); return b([]byte(l)) }

func main() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime"
	fmt.Println("init line")
	if os.Getenv("FAIL_INIT") != "" {
		http.Post(api+"/init/error", "application/json", strings.NewReader(\`{"errorMessage":"broken at init","errorType":"ProbeInitError"}\`))
		os.Exit(1)
	}
	for {
		resp, err := http.Get(api + "/invocation/next")
		if err != nil {
			os.Exit(2)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		fmt.Println("handler line")
		fds, _ := os.ReadDir("/proc/self/fd")
		names := []string{}
		for _, f := range fds {
			names = append(names, f.Name())
		}
		tmpDir := os.Getenv("TMPDIR")
		if tmpDir == "" {
			tmpDir = "/tmp"
		}
		tmp, _ := os.ReadDir(tmpDir)
		tmpNames := []string{}
		for _, f := range tmp {
			tmpNames = append(tmpNames, f.Name())
		}
		procs := []string{}
		stats, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, s := range stats {
			d, err := os.ReadFile(s)
			if err == nil {
				f := strings.Fields(string(d))
				procs = append(procs, f[0]+" "+f[1]+" "+f[3])
			}
		}
		sort.Strings(procs)
		status := []string{}
		st, _ := os.ReadFile("/proc/self/status")
		for _, l := range strings.Split(string(st), "\\n") {
			if strings.HasPrefix(l, "SigBlk") || strings.HasPrefix(l, "SigIgn") || strings.HasPrefix(l, "SigCgt") || strings.HasPrefix(l, "Cap") || strings.HasPrefix(l, "NoNewPrivs") || strings.HasPrefix(l, "Seccomp") {
				status = append(status, l)
			}
		}
		mask := syscall.Umask(0)
		syscall.Umask(mask)
		body, _ := json.Marshal(map[string]interface{}{
			"environ": file("/proc/self/environ"), "pid": os.Getpid(), "ppid": os.Getppid(), "argv": file("/proc/self/cmdline"),
			"cwd": link("/proc/self/cwd"), "fd0": link("/proc/self/fd/0"), "fds": b([]byte(strings.Join(names, "\\n"))),
			"tmp": b([]byte(strings.Join(tmpNames, "\\n"))), "limits": file("/proc/self/limits"),
			"status": b([]byte(strings.Join(status, "\\n"))), "umask": b([]byte(fmt.Sprintf("%04o", mask))),
			"procs": b([]byte(strings.Join(procs, "\\n"))),
		})
		r, err := http.Post(api+"/invocation/"+id+"/response", "application/json", bytes.NewReader(body))
		if err == nil {
			r.Body.Close()
		}
	}
}
`;

/** The Go probe, built with the machine's `go` (standard library only). */
export function goProbe(): Files {
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-go-probe-'));
  try {
    writeFileSync(join(dir, 'go.mod'), 'module lambkin.example/prestartprobe\n\ngo 1.19\n');
    writeFileSync(join(dir, 'main.go'), GO_MAIN);
    return { bootstrap: { content: buildGo(dir), mode: 0o755 } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
