// Java (`java17`, `java21`): the machine's JDK runs lambkin's Java runtime (runtimes/java, compiled
// into a jar by java-build.ts), which loads the function's classes from the task root and its lib/
// jars. The id names the Lambda runtime a function was written for; the JVM that runs it is the
// server's (`lambkin runtimes` shows which). Flags as Lambda's Java runtimes use them for a fast
// start on a small heap: C1 only, serial GC, class data sharing. In the namespace sandbox the
// bootstrap talks to the host's Runtime API socket directly (no socat hop): its path is a system
// property, which the bootstrap clears before the function's code loads.
import { join } from 'node:path';
import { BOOTSTRAP_ROOT, type RuntimeSpec } from './catalogue.js';
import { onPath } from './binaries.js';
import { ensureJar, jarBuilt, jarName } from './java-build.js';
import { ensureArchive } from './java-cds.js';

const JAVA_DIR = (): string => join(BOOTSTRAP_ROOT, 'java');
const INSTALL = 'apt-get install -y default-jdk-headless';

export const JAVA: RuntimeSpec = {
  ids: ['java17', 'java21'],
  family: 'java',
  name: 'Java',
  // Pre-started like the interpreters: the JVM boots and loads the runtime, then waits on stdin for
  // its environment (runtimes/java/.../Prestart.java). The launcher reads these variables as the
  // JVM starts; -Xmx comes from MemorySize, so each MemorySize is a shape of its own.
  prestart: { startupVariables: /^(JAVA_TOOL_OPTIONS|JDK_JAVA_OPTIONS|_JAVA_OPTIONS|CLASSPATH|JAVA_HOME)$/, perMemorySize: true },
  launch: ({ runtimeDir, memoryMb, heapCapMb, runtimeApiSocket }) => {
    ensureJar(JAVA_DIR());
    // The heap leaves room for what else a JVM needs (metaspace, code cache, thread stacks).
    const heap = Math.max(32, Math.floor((heapCapMb ?? memoryMb ?? 512) * 0.75));
    const java = onPath('java');
    const archive = java && ensureArchive(JAVA_DIR(), java);
    return {
      command: java ?? 'java',
      args: [
        `-Xmx${heap}m`, '-XX:+UseSerialGC', '-XX:+TieredCompilation', '-XX:TieredStopAtLevel=1', '-Xshare:auto', '-XX:-UsePerfData',
        // lambkin's archive of the bootstrap's JDK classes (java-cds.ts), keyed to this JVM. Should
        // it still not map, -Xshare:auto runs on without sharing, and -Xlog keeps the JVM's note
        // about it out of the function's logs.
        ...(archive ? [`-XX:SharedArchiveFile=${join(runtimeDir, 'java', archive)}`, '-Xlog:cds=off', '-Xlog:cds+dynamic=off'] : []),
        '-Dfile.encoding=UTF-8',
        ...(runtimeApiSocket ? [`-Dlambkin.runtimeApiSocket=${runtimeApiSocket}`] : []),
        // The runtime writes log frames to the inherited telemetry fd, which Java can only wrap
        // through java.io.FileDescriptor's private field (runtimes/java/.../Telemetry.java).
        '--add-opens=java.base/java.io=ALL-UNNAMED',
        // A pre-started runtime replaces the environment System.getenv shows once it gets its
        // function's (Prestart.java), through java.util's unmodifiable map — as Lambda's own Java
        // runtime client writes its environment. Opened for every start, so that a function sees
        // the same JVM whether the pool served it or not.
        '--add-opens=java.base/java.util=ALL-UNNAMED', '-cp', join(runtimeDir, 'java', jarName(JAVA_DIR())), 'lambkin.runtime.Bootstrap',
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
