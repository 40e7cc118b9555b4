import { join } from 'node:path';
import type { Appliance } from '../engine/appliance.js';
import { LabClock } from '../engine/clock.js';
import { zonedDate } from '../engine/time-format.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { CheckResult } from '../lab/expectations.js';
import type { Scenario } from '../lab/scenario.js';
import { Conversation } from '../conversation/conversation.js';
import { renderSummary } from './inject.js';
import type { CommandContext, CommandSpec } from './types.js';

/** The setup, solution and reset commands of a lab print nothing: what the lab reports is what counts. */
const quiet = new Conversation({ write: () => undefined, readLine: async () => null });

/** The lab's time ends: the clock goes back to real time (catching up slowly); returns how far ahead it is. */
function endLabTime(appliance: Appliance): number {
  if (!(appliance.clock instanceof LabClock)) return 0;
  appliance.clock.setFactor(1);
  return appliance.clock.ahead;
}

/**
 * Plays a scenario end to end on a fresh appliance of its own (a cluster lab: one per machine, in
 * one cluster): setup, solution, traffic, check.
 */
async function runScenario(ctx: CommandContext, scenario: Scenario, file: string): Promise<CheckResult[]> {
  const { checkLab, expand, labAccounts, startLab } = await import('../lab/runner.js');
  const { startFreshAppliance, startLabCluster } = await import('../lab/lab-appliances.js');
  const start = (a: Appliance) => ctx.host.startAppliance(a);
  const runOn = (a: Appliance) => (line: string) => ctx.host.runLine(a, line, quiet);
  const own = await startFreshAppliance(scenario.name, start);
  const { appliance } = own;
  let cluster: Awaited<ReturnType<typeof startLabCluster>> | null = null;
  try {
    if (scenario.cluster) cluster = await startLabCluster(own, scenario.cluster, scenario.name, start, runOn);
    const members = cluster?.members ?? [];
    const { state } = await startLab(appliance, scenario, file, runOn(appliance), members);
    const accounts = labAccounts(appliance, state);
    for (const line of scenario.solution) await ctx.host.runLine(appliance, expand(line, accounts), quiet);
    return await checkLab(appliance, scenario, state, ctx.signal, members);
  } finally {
    // the others first: the cluster's first machine is the one they would look for
    await cluster?.stop();
    await own.stop();
  }
}

export const labCommand: CommandSpec = {
  name: 'lab',
  summary: 'Training labs: scenarios that replay the seed cases, with automatic checking.',
  help: [
    'lab list',
    'lab start NAME        reset what labs own (TDC, policies, routes, RAT, SETD faults), prepare',
    '                      the scenario and print the task; refused while this session has',
    '                      uncommitted changes',
    "lab traffic           send the scenario's traffic now (lab check sends it if not yet sent)",
    'lab check             judge every expectation: PASS/FAIL with hints (a pass ends the lab);',
    '                      sends the traffic (again) when it was not sent since the last commit',
    'lab stop              end the lab: SETD faults cleared, time back to normal',
    'lab run NAME | --all  play scenarios end to end on fresh appliances (instructors, CI)',
    'lab cluster create DIR --machines N [--name NAME] [--ports FROM-TO]',
    '                      make N clustered appliances (DIR/esa1 ... esaN, 2 to 8) with ports of',
    '                      their own, one lab CA and one SETD emulator for all of them',
    '                      (from a terminal: segsim lab cluster create ...)',
    '  lab cluster start DIR  run them all and their SETD in one process, until Ctrl-C',
    '',
    'Scenarios are YAML files in fixtures/labs (or give a path to your own). Examples:',
    '  lab start default-intake',
    '  segsim lab run --all',
  ].join('\n'),
  subcommands: [
    { name: 'list', summary: 'the shipped scenarios' },
    { name: 'start', summary: 'reset what labs own and prepare a scenario', args: '<name>' },
    { name: 'traffic', summary: "send the scenario's traffic now" },
    { name: 'check', summary: 'judge every expectation', json: 'the results' },
    { name: 'stop', summary: 'end the lab' },
    {
      name: 'run',
      summary: 'play scenarios end to end on fresh appliances',
      args: '[name]',
      flags: [{ flags: '--all', description: 'every shipped scenario' }],
      json: 'the results',
    },
    {
      name: 'cluster',
      summary: 'make (create DIR --machines N) or run (start DIR) a lab cluster',
      args: '<action> <dir>',
      flags: [
        { flags: '--machines <n>', description: 'how many machines (2 to 8)' },
        { flags: '--name <name>', description: 'the cluster name (default Hosted_Cluster)' },
        { flags: '--ports <from-to>', description: 'take every port from this range' },
      ],
    },
  ],
  async run(ctx, { args, flags }) {
    const sub = (args[0] ?? '').toLowerCase();
    // the lab machinery (YAML, SMTP client) loads only when a lab command runs
    const { findScenario, listScenarios, LABS_DIR } = await import('../lab/catalog.js');
    const { loadScenario } = await import('../lab/scenario.js');
    const { renderResults } = await import('../lab/expectations.js');
    const { checkLab, clearLabState, loadLabState, resetLab, sendLabTraffic, startLab, trafficBeforeFix } = await import('../lab/runner.js');
    switch (sub) {
      case 'list': {
        const all = listScenarios();
        ctx.io.print(all.map((s, i) => `${`${i + 1}.`.padEnd(4)}${s.name.padEnd(26)}${s.title}${s.timeScale !== 1 ? ` (time x${s.timeScale})` : ''}`).join('\n'));
        return;
      }
      case 'start': {
        if (!args[1]) throw new UserError('lab start needs a scenario name ("lab list" shows them).', ErrorCodes.usage);
        // an unknown lab is the first thing wrong: committing first would not help
        const scenario = findScenario(args[1]);
        if (ctx.session.config.hasChanges()) {
          throw new UserError('This session has uncommitted changes. A lab starts from a clean configuration: "commit" or "clear" them first ("showchanges" lists them).', ErrorCodes.conflict);
        }
        if (scenario.cluster) {
          throw new UserError(
            `Lab ${scenario.name} needs ${scenario.cluster.machines.length} appliances in a cluster: play it with "lab run ${scenario.name}" (lab start prepares labs of one appliance).`,
            ErrorCodes.conflict,
          );
        }
        const run = (line: string) => ctx.host.runLine(ctx.appliance, line, quiet);
        const reset = await resetLab(ctx.appliance, run);
        const { task } = await startLab(ctx.appliance, scenario, args[1], run);
        const time = scenario.timeScale !== 1 ? `Time: runs ${scenario.timeScale} times faster in this lab ("lab stop" ends it)` : 'Time: real time';
        ctx.io.print(`\nReset for the lab:\n${[...reset, time].map((line) => `  ${line}`).join('\n')}`);
        ctx.io.print(
          `\nLab ${scenario.name}: ${scenario.title}\nSeed case: ${scenario.seedCase}\n\n${task.trim()}\n\nSend the traffic with "lab traffic" (or let "lab check" send it), then run "lab check".`,
        );
        return;
      }
      case 'stop': {
        const state = loadLabState(ctx.appliance);
        await ctx.host.runLine(ctx.appliance, 'setd fault none', quiet);
        const ahead = endLabTime(ctx.appliance);
        clearLabState(ctx.appliance);
        ctx.io.print(
          `Lab ${state.scenario} stopped: SETD faults cleared; ${ahead > 0 ? `time back to normal (the clock is ${Math.round(ahead / 1000)} s ahead and runs at half speed until real time catches up)` : 'time runs with real time'}.`,
        );
        return;
      }
      case 'traffic': {
        const state = loadLabState(ctx.appliance);
        const scenario = state.file.endsWith('.yaml') ? loadScenario(state.file) : findScenario(state.scenario);
        const summary = await sendLabTraffic(ctx.appliance, scenario, state, (done, total) => ctx.io.progress(`Sending lab traffic: ${done}/${total}`));
        ctx.io.print(renderSummary(summary, ctx.io.style));
        return;
      }
      case 'check': {
        if (!ctx.appliance.live) throw new UserError('lab check needs the running appliance the lab was started on.', ErrorCodes.noAppliance);
        const state = loadLabState(ctx.appliance);
        const scenario = state.file.endsWith('.yaml') ? loadScenario(state.file) : findScenario(state.scenario);
        // traffic sent before the trainee's last commit shows what the old configuration did
        const again = trafficBeforeFix(ctx.appliance, state);
        if (again) state.trafficSent = false;
        const sending = !state.trafficSent;
        if (ctx.interactive && !ctx.json) {
          const send = again ? 'The configuration changed since the lab traffic was sent: sending it again, then checking' : sending ? 'Sending the lab traffic, then checking' : 'Checking';
          ctx.io.print(`${send} (waiting for the queues to settle)...`);
        }
        const results = await checkLab(ctx.appliance, scenario, state, ctx.signal);
        const passed = results.every((r) => r.passed);
        if (passed) {
          clearLabState(ctx.appliance);
          endLabTime(ctx.appliance);
        }
        const judged = sending
          ? `Judged: the lab traffic this check sent${again ? ' again, after the last configuration change' : ''}; mail sent beside it is not counted.`
          : `Judged: the lab traffic sent ${state.sentAt === undefined ? 'earlier' : `at ${zonedDate(state.sentAt)}`} (no configuration committed since); mail sent beside it is not counted.`;
        return {
          data: results,
          render: (io) => io.print(`${judged}\n${renderResults(scenario, results, io.style)}`),
          // a script (CI) learns of a failed lab from the exit status; the shell shows the results
          error: passed || ctx.interactive ? undefined : new UserError(`Lab ${scenario.name}: ${results.filter((r) => !r.passed).length} expectation(s) failed.`, ErrorCodes.labFailed),
        };
      }
      case 'run': {
        const scenarios = flags.all ? listScenarios().map((s) => ({ s, file: join(LABS_DIR, `${s.name}.yaml`) })) : args[1] ? [{ s: findScenario(args[1]), file: args[1] }] : [];
        if (scenarios.length === 0) throw new UserError('lab run needs a scenario name or --all.', ErrorCodes.usage);
        const outcomes: { name: string; results: CheckResult[] }[] = [];
        for (const { s, file } of scenarios) {
          const started = Date.now();
          const results = await runScenario(ctx, s, file);
          outcomes.push({ name: s.name, results });
          // each scenario's results as it ends (a run of them all takes minutes)
          if (!ctx.json) ctx.io.print(`${renderResults(s, results, ctx.io.style)}  (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
        }
        const failed = outcomes.filter((o) => o.results.some((r) => !r.passed));
        return {
          data: outcomes,
          render: (io) => io.print(`Labs: ${outcomes.length - failed.length} of ${outcomes.length} scenarios passed.`),
          error: failed.length > 0 ? new UserError(`Labs failed: ${failed.map((f) => f.name).join(', ')}.`, ErrorCodes.labFailed) : undefined,
        };
      }
      case 'cluster':
        throw new UserError(`"lab cluster" runs from a terminal as "segsim lab cluster ${args[1] ?? 'create'} DIR": it makes and runs appliances of its own.`, ErrorCodes.usage);
      default:
        throw new UserError('lab needs a subcommand: list, start, traffic, check, stop, run or cluster. Enter "help lab".', ErrorCodes.usage);
    }
  },
};
