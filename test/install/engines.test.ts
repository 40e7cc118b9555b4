import { readFileSync } from 'node:fs';
import { minVersion, satisfies } from 'semver';

const root = new URL('../..', import.meta.url).pathname;
const json = (path: string) => JSON.parse(readFileSync(`${root}${path}`, 'utf8')) as Record<string, unknown>;

interface Locked {
  engines?: { node?: string };
  dev?: boolean;
  optional?: boolean;
  hasInstallScript?: boolean;
}

const pkg = json('package.json') as { engines: { node: string } };
const locked = Object.entries((json('package-lock.json') as { packages: Record<string, Locked> }).packages).filter(([path]) => path !== '');
const lowest = minVersion(pkg.engines.node)!.version;

describe('npm install on the oldest Node segsim supports', () => {
  it(`installs no package that refuses Node ${lowest} (an EBADENGINE warning, or a failure with engine-strict)`, () => {
    const refusing = locked.filter(([, p]) => p.engines?.node && !satisfies(lowest, p.engines.node)).map(([path, p]) => `${path} wants node ${p.engines!.node}`);
    expect(refusing).toEqual([]);
  });

  it('needs no compiler: esbuild ships its binary, and what ssh2 builds is optional (an install without a compiler goes on without it)', () => {
    const building = locked.filter(([, p]) => p.hasInstallScript).map(([path]) => path.replace(/^.*node_modules\//, ''));
    expect(building).toEqual(['cpu-features', 'esbuild', 'ssh2']);
    // ssh2's install script tries its crypto binding and exits 0 when it cannot (it runs on Node's crypto then);
    // cpu-features is an optional dependency: npm drops it when its build fails
    expect(readFileSync(`${root}node_modules/ssh2/install.js`, 'utf8')).toMatch(/Failed to build optional crypto binding[\s\S]*process\.exit\(0\)/);
    expect(locked.find(([path]) => path === 'node_modules/cpu-features')?.[1].optional).toBe(true);
  });
});
