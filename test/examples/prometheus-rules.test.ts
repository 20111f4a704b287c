import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The alert rules of examples/prometheus, checked by Prometheus's own tool: they parse, the
// config that loads them is valid, and each alert fires on the series of alerts.test.yml that
// cross its threshold for its `for:` and stays silent on the others.

const folder = join(__dirname, '..', '..', 'examples', 'prometheus');
const HOW_TO_ENABLE = 'install promtool (apt-get install prometheus) to check the alert rules';
const promtoolFound = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: folder, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

if (!promtoolFound && process.env.CI !== 'true') {
  console.warn(`Skipping the Prometheus rules: ${HOW_TO_ENABLE}`);
}
const describePromtool = promtoolFound || process.env.CI === 'true' ? describe : describe.skip;

describePromtool('the Prometheus alert rules (promtool)', () => {
  beforeAll(() => {
    if (!promtoolFound)
      throw new Error(`promtool is not on PATH (CI=true: fail, not skip): ${HOW_TO_ENABLE}`);
  });

  it('parses the four rules', () => {
    const { status, output } = promtool('check', 'rules', 'alerts.yml');
    expect({ status, output }).toMatchObject({ status: 0 });
    expect(output).toContain('SUCCESS: 4 rules found');
  });

  it('accepts the scrape config that loads them', () => {
    const { status, output } = promtool('check', 'config', 'prometheus.yml');
    expect({ status, output }).toMatchObject({ status: 0 });
  });

  it('fires each alert on the series that cross its threshold, and only those', () => {
    const { status, output } = promtool('test', 'rules', 'alerts.test.yml');
    expect({ status, output }).toMatchObject({ status: 0 });
    expect(output).toContain('SUCCESS');
  });
});
