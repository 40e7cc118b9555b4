import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Appliance } from '../engine/appliance.js';
import { LabClock } from '../engine/clock.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { CheckResult } from '../lab/expectations.js';
import type { Scenario } from '../lab/scenario.js';
import { Conversation } from './dialog.js';
import { renderSummary } from './inject.js';
import type { CommandContext, CommandSpec } from './types.js';

/** Plays a scenario end to end on a fresh appliance of its own: setup, solution, traffic, check. */
async function runScenario(ctx: CommandContext, scenario: Scenario, file: string): Promise<CheckResult[]> {
  const { checkLab, expand, labAccounts, startLab } = await import('../lab/runner.js');
  const home = mkdtempSync(join(tmpdir(), `segsim-lab-${scenario.name}-`));
  const appliance = new Appliance({ home, clock: new LabClock() });
  await appliance.configuration.commit(
    (c) => ({ ...c, listener: { ...c.listener, port: 0 }, lab: { mailServerPort: 0, setdPort: 0 } }),
    `lab run ${scenario.name}`,
    'lab run',
  );
  const running = await ctx.host.startAppliance(appliance);
  // the setup and solution commands print nothing here: the report is what counts
  const quiet = new Conversation({ write: () => undefined, readLine: async () => null });
  try {
    const { state } = await startLab(appliance, scenario, file, (line) => ctx.host.runLine(appliance, line, quiet));
    const accounts = labAccounts(appliance, state);
    for (const line of scenario.solution) await ctx.host.runLine(appliance, expand(line, accounts), quiet);
    return await checkLab(appliance, scenario, state, ctx.signal);
  } finally {
    await running.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

export const labCommand: CommandSpec = {
  name: 'lab',
  summary: 'Training labs: scenarios that replay the seed cases, with automatic checking.',
  help: [
    'lab list',
    'lab start NAME        prepare this appliance for a scenario and print the task',
    'lab traffic           send the scenario\'s traffic now (lab check sends it if not yet sent)',
    'lab check             judge every expectation: PASS/FAIL with hints',
    'lab run NAME | --all  play scenarios end to end on fresh appliances (instructors, CI)',
    '',
    'Scenarios are YAML files in fixtures/labs (or give a path to your own). Examples:',
    '  lab start default-intake',
    '  segsim lab run --all',
  ].join('\n'),
  args: '[words...]',
  flags: [
    { flags: '--all', description: 'run: every shipped scenario' },
    { flags: '--json', description: 'print results as JSON' },
  ],
  async run(ctx, { args, flags }) {
    const sub = (args[0] ?? '').toLowerCase();
    // the lab machinery (YAML, SMTP client) loads only when a lab command runs
    const { findScenario, listScenarios, LABS_DIR } = await import('../lab/catalog.js');
    const { loadScenario } = await import('../lab/scenario.js');
    const { renderResults } = await import('../lab/expectations.js');
    const { checkLab, clearLabState, loadLabState, sendLabTraffic, startLab } = await import('../lab/runner.js');
    switch (sub) {
      case 'list': {
        const all = listScenarios();
        ctx.io.print(all.map((s, i) => `${`${i + 1}.`.padEnd(4)}${s.name.padEnd(26)}${s.title}${s.timeScale !== 1 ? ` (time x${s.timeScale})` : ''}`).join('\n'));
        return;
      }
      case 'start': {
        if (!args[1]) throw new UserError('lab start needs a scenario name ("lab list" shows them).', ErrorCodes.usage);
        const scenario = findScenario(args[1]);
        const { task } = await startLab(ctx.appliance, scenario, args[1], (line) => ctx.host.runLine(ctx.appliance, line, ctx.io));
        ctx.io.print(`\nLab ${scenario.name}: ${scenario.title}\nSeed case: ${scenario.seedCase}${scenario.timeScale !== 1 ? `\nTime runs ${scenario.timeScale} times faster in this lab.` : ''}\n\n${task.trim()}\n\nSend the traffic with "lab traffic" (or let "lab check" send it), then run "lab check".`);
        return;
      }
      case 'traffic': {
        const state = loadLabState(ctx.appliance);
        const scenario = state.file.endsWith('.yaml') ? loadScenario(state.file) : findScenario(state.scenario);
        const summary = await sendLabTraffic(ctx.appliance, scenario, state, (done, total) => ctx.io.frame(`Sending lab traffic: ${done}/${total}`));
        ctx.io.print(renderSummary(summary));
        return;
      }
      case 'check': {
        if (!ctx.appliance.live) throw new UserError('lab check needs the running appliance the lab was started on.', ErrorCodes.noAppliance);
        const state = loadLabState(ctx.appliance);
        const scenario = state.file.endsWith('.yaml') ? loadScenario(state.file) : findScenario(state.scenario);
        if (ctx.interactive) ctx.io.print('Checking (waiting for the queues to settle)...');
        const results = await checkLab(ctx.appliance, scenario, state, ctx.signal);
        ctx.io.print(flags.json ? JSON.stringify(results, null, 2) : renderResults(scenario, results));
        if (results.every((r) => r.passed)) {
          clearLabState(ctx.appliance);
          if (ctx.appliance.clock instanceof LabClock) ctx.appliance.clock.setFactor(1);
        } else if (!ctx.interactive) throw new UserError(`Lab ${scenario.name}: ${results.filter((r) => !r.passed).length} expectation(s) failed.`, ErrorCodes.invalidValue);
        return;
      }
      case 'run': {
        const scenarios = flags.all ? listScenarios().map((s) => ({ s, file: join(LABS_DIR, `${s.name}.yaml`) })) : args[1] ? [{ s: findScenario(args[1]), file: args[1] }] : [];
        if (scenarios.length === 0) throw new UserError('lab run needs a scenario name or --all.', ErrorCodes.usage);
        const outcomes: { name: string; results: CheckResult[] }[] = [];
        for (const { s, file } of scenarios) {
          const started = Date.now();
          const results = await runScenario(ctx, s, file);
          outcomes.push({ name: s.name, results });
          if (!flags.json) ctx.io.print(`${renderResults(s, results)}  (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
        }
        const failed = outcomes.filter((o) => o.results.some((r) => !r.passed));
        if (flags.json) ctx.io.print(JSON.stringify(outcomes, null, 2));
        else ctx.io.print(`Labs: ${outcomes.length - failed.length} of ${outcomes.length} scenarios passed.`);
        if (failed.length > 0) throw new UserError(`Labs failed: ${failed.map((f) => f.name).join(', ')}.`, ErrorCodes.invalidValue);
        return;
      }
      default:
        throw new UserError('lab needs a subcommand: list, start, traffic, check or run. Enter "help lab".', ErrorCodes.usage);
    }
  },
};
