// npm run build: compile lambkin's Java runtime (runtimes/java/src) into its jar, once per source
// version (src/runtimes/java-build.ts). Without a JDK this is skipped with a note: the Java runtime
// is then reported missing, and everything else works. Also dumps the JDK's class data sharing
// archive for it (src/runtimes/java-cds.ts).
import { ensureJar, jarBuilt } from '../dist/runtimes/java-build.js';
import { ensureArchive } from '../dist/runtimes/java-cds.js';
import { onPath } from '../dist/runtimes/binaries.js';
import { fileURLToPath } from 'node:url';

const javaDir = fileURLToPath(new URL('../runtimes/java', import.meta.url));
// The class data sharing archive of this machine's JDK (once per JDK; a server would otherwise
// dump it in the background on its first Java start).
const java = onPath('java');
if (java) ensureArchive(javaDir, java, true);
if (jarBuilt(javaDir)) process.exit(0);
if (!onPath('javac')) {
  console.error('lambkin: no javac here, the Java runtime is not built (apt-get install -y default-jdk-headless to run java17/java21 functions)');
  process.exit(0);
}
try {
  ensureJar(javaDir);
} catch (err) {
  console.error(`lambkin: ${err.message}`);
  process.exit(1);
}
