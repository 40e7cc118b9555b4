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

  it('needs no compiler: no package but esbuild (which ships its binary) runs an install script', () => {
    const building = locked.filter(([, p]) => p.hasInstallScript).map(([path]) => path.replace(/^.*node_modules\//, ''));
    expect(building).toEqual(['esbuild']);
  });
});
