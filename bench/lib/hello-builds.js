// Hello functions that need files from this machine: the Java one compiled with javac, the shell
// custom runtime from examples/hello-shell, the Go one built from examples/custom/hello-go. Each is
// there only when its tool is: the benchmark measures what the machine can run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export function has(tool) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const JAVA_HELLO = `package example;
import java.util.Map;
public class Hello {
    public Map<String, Object> handleRequest(Map<String, Object> event) {
        Object name = event.get("name");
        return Map.of("hello", name == null ? "world" : name);
    }
}
`;

export function javaHello() {
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-bench-java-'));
  try {
    mkdirSync(join(dir, 'src/example'), { recursive: true });
    writeFileSync(join(dir, 'src/example/Hello.java'), JAVA_HELLO);
    execFileSync('javac', ['--release', '17', '-d', join(dir, 'out'), join(dir, 'src/example/Hello.java')]);
    return { 'example/Hello.class': { data: readFileSync(join(dir, 'out/example/Hello.class')) } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function shellHello() {
  const dir = join(ROOT, 'examples/hello-shell');
  return {
    bootstrap: { data: readFileSync(join(dir, 'bootstrap')), mode: 0o755 },
    'lambda_function.sh': { data: readFileSync(join(dir, 'lambda_function.sh')), mode: statSync(join(dir, 'lambda_function.sh')).mode & 0o777 },
  };
}

export function goHello() {
  const out = mkdtempSync(join(tmpdir(), 'lambkin-bench-go-'));
  try {
    execFileSync('go', ['build', '-trimpath', '-o', join(out, 'bootstrap'), '.'], {
      cwd: join(ROOT, 'examples/custom/hello-go'), env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GOPROXY: 'off' }, stdio: 'inherit',
    });
    return { bootstrap: { data: readFileSync(join(out, 'bootstrap')), mode: 0o755 } };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
