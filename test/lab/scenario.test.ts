import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadScenario, parseScenario } from '../../src/lab/scenario.js';

const LABS = fileURLToPath(new URL('../../fixtures/labs/', import.meta.url));

const minimal = `name: lab
title: t
seedCase: s
task: do it
traffic:
  count: 1
expect:
  within: 5
`;

describe('scenario files', () => {
  it('every shipped scenario is valid', () => {
    const files = readdirSync(LABS).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) expect(loadScenario(`${LABS}${f}`).name).toBe(f.replace('.yaml', ''));
  });

  it('reads a minimal scenario with defaults', () => {
    expect(parseScenario(minimal, '<inline>')).toMatchObject({ timeScale: 1, setup: [], accounts: [], traffic: { count: 1 } });
  });

  it('names the line of each problem', () => {
    expect(() => parseScenario(minimal.replace('count: 1', 'count: many'), 'lab.yaml')).toThrow(/^lab\.yaml:6: traffic\.count must be a whole number/);
    expect(() => parseScenario(`${minimal}  colour: red\n`, 'lab.yaml')).toThrow(/^lab\.yaml:9: unknown key "colour" in expect/);
    expect(() => parseScenario(minimal.replace('title: t\n', ''), 'lab.yaml')).toThrow(/^lab\.yaml:1: title is missing$/);
    expect(() => parseScenario(`${minimal}  logs:\n    - match: "(unclosed"\n      count: 1\n`, 'lab.yaml')).toThrow(/^lab\.yaml:10: expect\.logs\[0\]\.match is not a valid regular expression/);
    expect(() => parseScenario('name: [unclosed', 'lab.yaml')).toThrow(/^lab\.yaml:1: /);
    const hosts = (counters: string) => `${minimal}  hosts:\n    the.tdc.queue:\n      delivered: 1\n      ${counters}\n`;
    expect(() => parseScenario(hosts('active: many'), 'lab.yaml')).toThrow(/^lab\.yaml:12: expect\.hosts\.the\.tdc\.queue\.active must be a whole number or a mapping with count, min or max$/);
    expect(() => parseScenario(hosts('active: { min: -1 }'), 'lab.yaml')).toThrow(/^lab\.yaml:12: expect\.hosts\.the\.tdc\.queue\.active\.min must be at least 0$/);
    expect(() => parseScenario(hosts('active: { hint: h }'), 'lab.yaml')).toThrow(/^lab\.yaml:12: expect\.hosts\.the\.tdc\.queue\.active needs count, min or max$/);
    expect(() => parseScenario(hosts('idle: 0'), 'lab.yaml')).toThrow(/^lab\.yaml:12: unknown key "idle" in expect\.hosts\.the\.tdc\.queue; expected one of: active, delivered, /);
    const account = (fields: string) => minimal.replace('traffic:', `accounts:\n  - { id: a, ${fields} }\ntraffic:`);
    expect(() => parseScenario(account('region: mars'), 'lab.yaml')).toThrow(/^lab\.yaml:6: accounts\[0\]\.region "mars" is not valid: use one of north-america, /);
    expect(() => parseScenario(account('header: X_IP'), 'lab.yaml')).toThrow(/^lab\.yaml:6: accounts\[0\]\.header "X_IP" is not valid: use letters, digits and hyphens$/);
    expect(() => parseScenario(minimal.replace('count: 1', 'count: 1\n  spam: 2'), 'lab.yaml')).toThrow(/^lab\.yaml:7: traffic\.spam must be at most 1$/);
    expect(() => parseScenario(minimal.replace('task: do it', 'task: send to ${accounts.ghost.intake}'), 'lab.yaml')).toThrow(/refers to account "ghost"/);
  });

  it('reads a cluster section: two machines or more, valid and distinct hostnames, expectations per machine', () => {
    const cluster = (machines: string, name = 'Hosted_Cluster') => `${minimal}cluster:\n  name: ${name}\n  machines:\n${machines}`;
    const two = '    - hostname: esa1.example.com\n    - hostname: esa2.example.com\n      setup: [sethostname x]\n      expect:\n        hosts:\n          the.tdc.queue: { delivered: 3 }\n';
    expect(parseScenario(cluster(two), '<inline>').cluster).toEqual({
      name: 'Hosted_Cluster',
      machines: [
        { hostname: 'esa1.example.com', setup: [], expect: { hosts: {}, logs: [], tracking: [], setd: {} } },
        { hostname: 'esa2.example.com', setup: ['sethostname x'], expect: { hosts: { 'the.tdc.queue': { delivered: { count: 3 } } }, logs: [], tracking: [], setd: {} } },
      ],
    });
    expect(parseScenario(minimal, '<inline>').cluster).toBeNull();
    expect(() => parseScenario(cluster('    - hostname: esa1.example.com\n'), 'lab.yaml')).toThrow(/^lab\.yaml:11: cluster\.machines needs at least 2 entries$/);
    expect(() => parseScenario(cluster('    - hostname: esa1.example.com\n    - hostname: ESA1.example.com\n'), 'lab.yaml')).toThrow(
      /^lab\.yaml:13: cluster\.machines\[1\]\.hostname "ESA1\.example\.com" is given twice$/,
    );
    expect(() => parseScenario(cluster('    - hostname: esa1.example.com\n    - hostname: not a host\n'), 'lab.yaml')).toThrow(
      /^lab\.yaml:13: cluster\.machines\[1\]\.hostname "not a host" is not valid: /,
    );
    expect(() => parseScenario(cluster(two, 'Hosted Cluster'), 'lab.yaml')).toThrow(/^lab\.yaml:10: cluster\.name "Hosted Cluster" is not valid: a cluster name is letters, digits/);
    expect(() => parseScenario(cluster(`${two}        setd:\n          ghost: { count: 1 }\n`), 'lab.yaml')).toThrow(
      /^lab\.yaml:19: cluster\.machines\[1\]\.expect\.setd names account "ghost", which is not in accounts$/,
    );
  });
});
