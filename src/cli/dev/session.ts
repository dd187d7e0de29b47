// A `lambkin dev` session: deploy once (a folder, or every function of a template), then watch
// the code folders and the template. A change in a function's folder redeploys that function only;
// a change to the template redeploys all of them (it may rename, add or reconfigure any).
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { LambkinClient } from '../../client/index.js';
import { deployPath, nameFromPath, type DeployOptions } from '../deploy.js';
import { deployTemplate, readPlan, type TemplateDeployOptions } from '../deploy-template.js';
import { ignoredIn } from './ignore.js';
import { InvocationPrinter } from './invocations.js';
import { closeCheckers, syntaxErrors, warmCheckers } from './syntax.js';
import { clock, newUnit, redeploy, type DevUnit } from './unit.js';
import { DEFAULT_QUIET_MS, FolderWatcher } from './watch.js';

export interface DevTarget {
  readonly folder?: string;
  readonly template?: string;
}

export type DevOptions = DeployOptions & TemplateDeployOptions & { quiet?: number; tail?: boolean };

function isDir(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

const inside = (dir: string, path: string) => path === dir || path.startsWith(dir + sep);

function message(err: unknown): string {
  return err instanceof Error ? (err.name && !['Error', 'UsageError'].includes(err.name) ? `${err.name}: ${err.message}` : err.message) : String(err);
}

export class DevSession {
  private units: DevUnit[] = [];
  private watchers: FolderWatcher[] = [];
  private readonly templatePath: string | undefined;
  private printer: InvocationPrinter | undefined;
  /** Every function of the session, watched or not (inline code is not), for the invocation lines. */
  private functionNames = new Set<string>();

  constructor(
    private readonly client: LambkinClient,
    private readonly target: DevTarget,
    private readonly opts: DevOptions,
    /** Lines for the person watching (redeploys, errors). */
    private readonly say: (line: string) => void,
  ) {
    this.templatePath = target.template ? resolve(target.template) : undefined;
  }

  /** The first deploy; resolves once the watchers run. */
  async start(): Promise<void> {
    if (this.target.template) this.say(await this.deployAll());
    else await this.deployFolder();
    warmCheckers(this.units.map((u) => u.runtime));
    this.watch();
    this.printer = new InvocationPrinter(this.client, () => this.functionNames, this.say, this.opts.tail === true);
    this.printer.start();
    this.say(`watching ${this.watchers.map((w) => relative(process.cwd(), w.dir) || '.').join(', ')}; invocations are printed as they happen (Ctrl-C to stop)`);
  }

  private async deployFolder(): Promise<void> {
    const folder = this.target.folder!;
    const name = this.opts.name ?? nameFromPath(folder);
    this.say(await deployPath(this.client, folder, this.opts, this.say));
    const config = await this.client.getFunctionConfiguration(name);
    this.units = [newUnit({ name, runtime: config.Runtime, dir: resolve(folder) })];
    this.functionNames = new Set([name]);
  }

  private async deployAll(): Promise<string> {
    const file = this.target.template!;
    const report = await deployTemplate(this.client, file, this.opts, this.say);
    const { plan } = readPlan(file, this.opts);
    this.functionNames = new Set(plan.functions.map((f) => f.name));
    this.units = plan.functions.flatMap((f) => (f.code.kind === 'path' && isDir(f.code.path)
      ? [newUnit({ name: f.name, runtime: f.runtime, dir: resolve(f.code.path), keep: f.code.keep, alias: f.alias })]
      : []));
    return report;
  }

  /** The folders to watch: the units' and the template's, none inside another. */
  private roots(): string[] {
    const dirs = [...new Set([...this.units.map((u) => u.dir), ...(this.templatePath ? [dirname(this.templatePath)] : [])])].sort();
    return dirs.filter((d) => !dirs.some((o) => o !== d && inside(o, d)));
  }

  private watch(): void {
    for (const w of this.watchers) w.close();
    this.watchers = this.roots().map((root) => new FolderWatcher(
      root, ignoredIn(root), (files) => this.onChange(root, files),
      (err) => this.say(`${clock()} watching ${root}: ${err.message}`), this.opts.quiet ?? DEFAULT_QUIET_MS,
    ));
    for (const w of this.watchers) w.start();
  }

  private async onChange(root: string, files: readonly string[]): Promise<void> {
    const paths = files.map((f) => join(root, f));
    if (this.templatePath && paths.includes(this.templatePath)) {
      const started = performance.now();
      // A full deploy packs every folder: not while a file's last check failed and still fails.
      for (const unit of this.units) {
        const files = [...unit.broken].filter((f) => existsSync(join(unit.dir, f))).map((f) => join(unit.dir, f));
        const errors = files.length > 0 ? await syntaxErrors(unit.runtime, files) : undefined;
        if (errors) {
          this.say(`${clock()} ${basename(this.templatePath)}: not redeployed while ${unit.name} has a syntax error:\n${errors.replace(/^/gm, '  ')}`);
          return;
        }
        unit.broken.clear();
      }
      try {
        await this.deployAll();
        this.say(`${clock()} ${basename(this.templatePath)} changed: redeployed ${this.units.length} function(s) in ${Math.round(performance.now() - started)} ms`);
        this.watch();
      } catch (err) {
        this.say(`${clock()} ${basename(this.templatePath)}: not redeployed, the previous versions keep serving:\n  ${message(err).replace(/\n/g, '\n  ')}`);
      }
      return;
    }
    for (const unit of this.units) {
      const mine = paths.filter((p) => inside(unit.dir, p)).map((p) => relative(unit.dir, p).split(sep).join('/'));
      if (mine.length === 0) continue;
      try {
        await redeploy(this.client, unit, mine, this.say);
      } catch (err) {
        this.say(`${clock()} ${unit.name}: redeploy failed, the previous version keeps serving: ${message(err)}`);
      }
    }
  }

  close(): void {
    this.printer?.stop();
    for (const w of this.watchers) w.close();
    this.watchers = [];
    closeCheckers();
  }
}
