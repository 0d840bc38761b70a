import { findChromium, installedCandidates, type LookupHost } from './chromium';

/** A machine described by its platform, environment and the files that exist on it. */
function host(over: Partial<LookupHost> & { files?: string[] } = {}): LookupHost & { unpacked: number } {
  const files = new Set(over.files ?? []);
  const h = {
    env: over.env ?? {},
    platform: over.platform ?? 'linux',
    arch: over.arch ?? 'x64',
    exists: (p: string) => files.has(p),
    unpacked: 0,
    unpackSparticuz: () => {
      h.unpacked++;
      return '/repo/node_modules/.cache/sparticuz-chromium-153.0.0/chromium';
    },
  };
  return h;
}

describe('findChromium', () => {
  it('takes CHROMIUM_PATH first, over installed browsers and the npm one', () => {
    const h = host({ env: { CHROMIUM_PATH: '/opt/chrome/chrome' }, files: ['/opt/chrome/chrome', '/usr/bin/chromium'] });
    expect(findChromium(h)).toEqual({ executablePath: '/opt/chrome/chrome', source: 'CHROMIUM_PATH' });
    expect(h.unpacked).toBe(0);
  });

  it('refuses a CHROMIUM_PATH that does not exist instead of quietly using another browser', () => {
    const h = host({ env: { CHROMIUM_PATH: '/nowhere/chromium' }, files: ['/usr/bin/chromium'] });
    expect(() => findChromium(h)).toThrow('CHROMIUM_PATH=/nowhere/chromium does not exist');
  });

  it('takes an installed Chromium before Chrome, and any installed one before the npm one', () => {
    expect(findChromium(host({ files: ['/usr/bin/chromium', '/usr/bin/google-chrome'] })).executablePath).toBe('/usr/bin/chromium');
    expect(findChromium(host({ files: ['/usr/bin/chromium-browser', '/usr/bin/google-chrome'] })).executablePath).toBe(
      '/usr/bin/chromium-browser',
    );
    const h = host({ files: ['/usr/bin/google-chrome'] });
    expect(findChromium(h)).toEqual({ executablePath: '/usr/bin/google-chrome', source: 'installed' });
    expect(h.unpacked).toBe(0);
  });

  it('falls back to @sparticuz/chromium on linux-x64 with no browser installed', () => {
    const h = host();
    expect(findChromium(h)).toEqual({
      executablePath: '/repo/node_modules/.cache/sparticuz-chromium-153.0.0/chromium',
      source: '@sparticuz/chromium',
    });
    expect(h.unpacked).toBe(1);
  });

  it('finds Chrome on macOS where Playwright`s chrome channel looks, also in ~/Applications', () => {
    const system = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    expect(findChromium(host({ platform: 'darwin', arch: 'arm64', files: [system] })).executablePath).toBe(system);
    const user = '/Users/ada/Applications/Chromium.app/Contents/MacOS/Chromium';
    expect(findChromium(host({ platform: 'darwin', arch: 'arm64', env: { HOME: '/Users/ada' }, files: [user] })).executablePath).toBe(user);
  });

  it('says what it tried where no npm Chromium exists (macOS, linux-arm64), never skipping', () => {
    const mac = host({ platform: 'darwin', arch: 'arm64', env: { HOME: '/Users/ada' } });
    expect(() => findChromium(mac)).toThrow(/darwin-arm64.*\/Applications\/Google Chrome\.app.*set CHROMIUM_PATH/);
    expect(mac.unpacked).toBe(0);
    const arm = host({ arch: 'arm64' });
    expect(() => findChromium(arm)).toThrow(/linux-arm64.*\/usr\/bin\/chromium.*linux-x64 only/);
    expect(arm.unpacked).toBe(0);
  });

  it('lists Windows Chrome under Program Files and the user install', () => {
    const env = { PROGRAMFILES: 'C:\\Program Files', LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' };
    expect(installedCandidates('win32', env)).toHaveLength(2);
    expect(installedCandidates('win32', env)[0]).toContain('Chrome');
  });
});
