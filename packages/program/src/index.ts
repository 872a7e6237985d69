/**
 * Running a host program to completion: exit status, stdout, the head of stderr; missing
 * programs as `Unavailable`, aborts that kill the program.
 *
 * @packageDocumentation
 */
export { runProgram } from './run-program.js';
export type { ProgramResult, RunProgramOptions } from './run-program.js';
