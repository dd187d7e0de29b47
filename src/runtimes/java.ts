// Java (`java17`, `java21`): the machine's JDK runs lambkin's Java runtime (runtimes/java, compiled
// into a jar by java-build.ts), which loads the function's classes from the task root and its lib/
// jars. The id names the Lambda runtime a function was written for; the JVM that runs it is the
// server's (`lambkin runtimes` shows which). Flags as Lambda's Java runtimes use them for a fast
// start on a small heap: C1 only, serial GC, class data sharing.
import { join } from 'node:path';
import { BOOTSTRAP_ROOT, type RuntimeSpec } from './catalogue.js';
import { onPath } from './binaries.js';
import { ensureJar, jarBuilt, jarName } from './java-build.js';

const JAVA_DIR = (): string => join(BOOTSTRAP_ROOT, 'java');
const INSTALL = 'apt-get install -y default-jdk-headless';

export const JAVA: RuntimeSpec = {
  ids: ['java17', 'java21'],
  family: 'java',
  name: 'Java',
  launch: ({ runtimeDir, memoryMb, heapCapMb }) => {
    ensureJar(JAVA_DIR());
    // The heap leaves room for what else a JVM needs (metaspace, code cache, thread stacks).
    const heap = Math.max(32, Math.floor((heapCapMb ?? memoryMb ?? 512) * 0.75));
    return {
      command: onPath('java') ?? 'java',
      args: [
        `-Xmx${heap}m`, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xshare:auto', '-XX:-UsePerfData',
        '-Dfile.encoding=UTF-8',
        // The runtime writes log frames to the inherited telemetry fd, which Java can only wrap
        // through java.io.FileDescriptor's private field (runtimes/java/.../Telemetry.java).
        '--add-opens=java.base/java.io=ALL-UNNAMED', '-cp', join(runtimeDir, 'java', jarName(JAVA_DIR())), 'lambkin.runtime.Bootstrap',
      ],
      env: {},
    };
  },
  missing: () => {
    if (!onPath('java')) return `java is not installed: ${INSTALL}`;
    if (!jarBuilt(JAVA_DIR()) && !onPath('javac')) return `the Java runtime needs javac to be built once: ${INSTALL}`;
    return undefined;
  },
};
