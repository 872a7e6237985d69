import type { CommandSpec } from '../command.js';
import { attachCommand, createCommand, runCommand, startCommand } from './run.js';
import { killCommand, pauseCommand, renameCommand, restartCommand, rmCommand, stopCommand, unpauseCommand, waitCommand } from './container-lifecycle.js';
import { diffCommand, logsCommand, portCommand, psCommand, statsCommand, topCommand } from './container-queries.js';
import { cpCommand } from './cp.js';
import { execCommand } from './exec.js';
import { commitCommand, exportCommand, historyCommand, imagesCommand, importCommand, loadCommand, pullCommand, pushCommand, rmiCommand, saveCommand, tagCommand } from './images.js';
import { inspectCommand, inspectCommandFor } from './inspect.js';
import { loginCommand, logoutCommand } from './login.js';
import { networkCommand } from './networks.js';
import { eventsCommand, infoCommand, systemCommand, versionCommand } from './system.js';
import { volumeCommand } from './volumes.js';

const rename = (command: CommandSpec, name: string, aliases: readonly string[] = []): CommandSpec => ({ ...command, name, aliases });

/** `container …`: docker's management command over the container verbs. */
const containerGroup: CommandSpec = {
  name: 'container',
  usage: 'COMMAND',
  description: 'Manage containers',
  subcommands: [
    attachCommand,
    commitCommand,
    cpCommand,
    createCommand,
    diffCommand,
    execCommand,
    exportCommand,
    inspectCommandFor('container', 'CONTAINER'),
    killCommand,
    logsCommand,
    rename(psCommand, 'ls', ['list', 'ps']),
    pauseCommand,
    portCommand,
    renameCommand,
    restartCommand,
    rmCommand,
    runCommand,
    startCommand,
    statsCommand,
    stopCommand,
    topCommand,
    unpauseCommand,
    waitCommand,
  ],
};

/** `image …`. */
const imageGroup: CommandSpec = {
  name: 'image',
  usage: 'COMMAND',
  description: 'Manage images',
  subcommands: [
    historyCommand,
    importCommand,
    inspectCommandFor('image', 'IMAGE'),
    loadCommand,
    rename(imagesCommand, 'ls', ['list']),
    pullCommand,
    pushCommand,
    rename(rmiCommand, 'rm', ['remove']),
    saveCommand,
    tagCommand,
  ],
};

/** Every top-level command of `berth`, in help order (common commands first, as docker). */
export const COMMANDS: readonly CommandSpec[] = [
  runCommand,
  execCommand,
  psCommand,
  pullCommand,
  pushCommand,
  imagesCommand,
  loginCommand,
  logoutCommand,
  versionCommand,
  infoCommand,
  containerGroup,
  imageGroup,
  networkCommand,
  systemCommand,
  volumeCommand,
  attachCommand,
  commitCommand,
  cpCommand,
  createCommand,
  diffCommand,
  eventsCommand,
  exportCommand,
  historyCommand,
  importCommand,
  inspectCommand,
  killCommand,
  loadCommand,
  logsCommand,
  pauseCommand,
  portCommand,
  renameCommand,
  restartCommand,
  rmCommand,
  rmiCommand,
  saveCommand,
  startCommand,
  statsCommand,
  stopCommand,
  tagCommand,
  topCommand,
  unpauseCommand,
  waitCommand,
];

/** The command named `name` (or an alias) among `commands`. */
export function findCommand(commands: readonly CommandSpec[], name: string): CommandSpec | undefined {
  return commands.find((command) => command.name === name || command.aliases?.includes(name));
}
