// Reading templates without a server: CloudFormation short forms and their lines, each intrinsic
// function, SAM's Globals merge, Serverless variables with defaults, package patterns.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPlan } from '../../src/cli/deploy-template.js';
import { patternFilter } from '../../src/cli/templates/patterns.js';
import { parseSource } from '../../src/cli/templates/source.js';

const dir = mkdtempSync(join(tmpdir(), 'lambkin-templates-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function plan(text: string, opts: Parameters<typeof readPlan>[1] = {}, env: NodeJS.ProcessEnv = {}) {
  const file = join(dir, 'template.yaml');
  writeFileSync(file, text);
  return readPlan(file, opts, env).plan;
}

const fn = (props: string, extra = '') => `
Parameters:
  Stage: { Type: String, Default: dev, AllowedValues: [dev, prod] }
  Sizes: { Type: CommaDelimitedList, Default: "128,256" }
Mappings:
  M: { dev: { Level: debug }, prod: { Level: warn } }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
${extra}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.11
      Handler: index.handler
      InlineCode: "def handler(e, c): return 1"
${props}
`;

describe('source', () => {
  it('reads short forms as long forms and knows the line of every value', () => {
    const src = parseSource('t.yaml', 'A: !Ref X\nB:\n  C: !GetAtt F.Arn\n  D: !Sub\n    - "${a}"\n    - a: 1\n');
    expect(src.root).toEqual({ A: { Ref: 'X' }, B: { C: { 'Fn::GetAtt': ['F', 'Arn'] }, D: { 'Fn::Sub': ['${a}', { a: 1 }] } } });
    expect(src.lineOf(['B'])).toBe(2);
    expect(src.lineOf(['B', 'C'])).toBe(3);
    expect(src.lineOf(['B', 'D', 1, 'a'])).toBe(6);
    expect(src.at(['B', 'nothing', 'here'])).toBe('t.yaml:2');
  });

  it('names the line of a YAML syntax error', () => {
    expect(() => parseSource('t.yaml', 'a: 1\nb: [1, 2\nc: 3\n')).toThrow(/^t\.yaml:\d+: not valid YAML/);
  });
});

describe('intrinsic functions', () => {
  const env = (props: string, opts = {}, extra = '') => plan(fn(`      Environment:\n        Variables:\n${props}`, extra), opts).functions[0]!.env;

  it('resolves Ref, Sub, Join, Select, Split, If, FindInMap, GetAtt and pseudo parameters', () => {
    expect(env([
      '          VA: !Sub "${Stage}-${AWS::Region}-${AWS::AccountId}-${!Literal}"',
      '          VB: !Join ["+", !Ref Sizes]',
      '          VC: !Select [1, !Split [",", "x,y,z"]]',
      '          VD: !If [IsProd, big, small]',
      '          VE: !FindInMap [M, !Ref Stage, Level]',
      '          VF: !GetAtt Fn.Arn',
      '          VG: !Sub ["${x}!", { x: !Ref AWS::StackName }]',
      '          VH: !If [NotProd, !Ref AWS::NoValue, shown]',
    ].join('\n'), { parameterOverrides: ['Stage=prod'], region: 'eu-west-1', stackName: 'st' })).toEqual({
      VA: 'prod-eu-west-1-000000000000-${Literal}', VB: '128+256', VC: 'y', VD: 'big', VE: 'warn',
      VF: 'arn:aws:lambda:eu-west-1:000000000000:function:Fn', VG: 'st!', VH: 'shown',
    });
  });

  it('leaves out a value that is AWS::NoValue', () => {
    expect(env('          VH: !If [NotProd, !Ref AWS::NoValue, shown]\n          VI: "1"')).toEqual({ VI: '1' });
  });

  it('fails at the line of a reference to nothing, an unknown attribute, an import', () => {
    expect(() => env('          VA: "x"\n          VB: !Ref Nope')).toThrow(/template\.yaml:21: !Ref Nope: there is no parameter or resource named Nope/);
    expect(() => env('          VA: !GetAtt Fn.Nope')).toThrow(/template\.yaml:20: !GetAtt Fn\.Nope: cannot be known locally/);
    expect(() => env('          VA: !ImportValue shared')).toThrow(/template\.yaml:20: Fn::ImportValue/);
  });

  it('checks parameters and overrides', () => {
    expect(() => plan(fn(''), { parameterOverrides: ['Stage=qa'] })).toThrow(/template\.yaml:3: parameter Stage: 'qa' is not one of its AllowedValues/);
    expect(() => plan(fn(''), { parameterOverrides: ['Nope=1'] })).toThrow(/the template has no parameter Nope/);
  });
});

describe('SAM', () => {
  it('merges Globals.Function: own scalars win, maps merge, lists append', () => {
    const p = plan(fn('      MemorySize: 512\n      Environment: { Variables: { OWN: b, BOTH: own } }\n      Layers: [arn:aws:lambda:us-east-1:000000000000:layer:b:1]',
      'Globals:\n  Function:\n    MemorySize: 256\n    Timeout: 9\n    Environment: { Variables: { GG: a, BOTH: global } }\n    Layers: [arn:aws:lambda:us-east-1:000000000000:layer:a:1]'));
    const f = p.functions[0]!;
    expect([f.memory, f.timeout]).toEqual([512, 9]);
    expect(f.env).toEqual({ GG: 'a', OWN: 'b', BOTH: 'own' });
    expect(f.layers.map((l) => ('arn' in l ? l.arn.split(':')[6] : ''))).toEqual(['a', 'b']);
  });

  it('notes each unsupported property once, with its line, and skips false conditions', () => {
    const p = plan(fn('      Tracing: Active\n      Foo: 1', 'Globals:\n  Api: { Cors: "*" }') + '  Other:\n    Type: AWS::Serverless::Function\n    Condition: IsProd\n    Properties: {}\n');
    expect(p.notes.map((n) => [n.subject, n.field, n.at.split(':').pop()])).toEqual([
      ['Globals.Api', '', '11'], ['Fn', 'Tracing', '19'], ['Fn', 'Foo', '20'],
    ]);
    expect(p.skipped).toEqual(['Other (condition IsProd is false)']);
  });
});

describe('Serverless variables', () => {
  const sls = (text: string, opts = {}, env: NodeJS.ProcessEnv = {}) => {
    const file = join(dir, 'serverless.yml');
    writeFileSync(file, text);
    return readPlan(file, opts, env).plan;
  };
  const base = (env: string) => `service: svc
custom:
  sizes: { dev: 256, prod: 1024 }
provider:
  name: aws
  runtime: nodejs20.x
  stage: \${opt:stage, 'dev'}
  memorySize: \${self:custom.sizes.\${sls:stage}}
functions:
  one:
    handler: h.handler
    environment:
${env}
`;

  it('resolves self, env, opt and sls with defaults, innermost first', () => {
    const p = sls(base("      VA: ${env:SET}-${env:UNSET, 'd'}\n      VB: ${self:service}-${sls:stage}\n      VC: ${env:UNSET, ${self:provider.runtime}}"), { stage: 'prod' }, { SET: 's' });
    const f = p.functions[0]!;
    expect(f.name).toBe('svc-prod-one');
    expect(f.memory).toBe(1024);
    expect(f.env).toEqual({ VA: 's-d', VB: 'svc-prod', VC: 'nodejs20.x' });
  });

  it('uses the default of an unsupported source and lists it; without a default it is an error at its line', () => {
    const p = sls(base("      VA: ${ssm:/x, 'fallback'}"));
    expect(p.functions[0]!.env).toEqual({ VA: 'fallback' });
    expect(p.notes.map((n) => n.field)).toContain('${ssm:/x}');
    expect(() => sls(base('      VA: ${file(./x.yml)}'))).toThrow(/serverless\.yml:13: .*not supported by lambkin/);
    expect(() => sls(base('      VA: ${self:custom.nope}'))).toThrow(/serverless\.yml:13: \$\{self:custom\.nope\}: self:custom\.nope has no value/);
  });
});

describe('package patterns', () => {
  it('applies globs in order, ! leaving files out', () => {
    const keep = patternFilter(['!tests/**', '!**/*.md', 'docs/keep.md', '!{a,b}.txt'])!;
    expect(['h.js', 'tests/x.js', 'README.md', 'src/n.md', 'docs/keep.md', 'a.txt', 'c.txt'].filter(keep)).toEqual(['h.js', 'docs/keep.md', 'c.txt']);
  });
});
