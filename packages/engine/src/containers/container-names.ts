import { randomInt } from 'node:crypto';
import { InvalidArgumentError } from '@berth/errdefs';

const namePattern = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** A user-given container name without docker's leading `/`; `InvalidArgument` with docker's message otherwise. */
export function validateContainerName(name: string): string {
  if (!namePattern.test(name)) {
    throw new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, { details: { name } });
  }
  return name.replace(/^\//, '');
}

// Our own short lists in docker's spirit: an adjective and a scientist or engineer.
const adjectives = [
  'admiring', 'adoring', 'agitated', 'amazing', 'angry', 'awesome', 'blissful', 'bold', 'brave', 'busy',
  'charming', 'clever', 'compassionate', 'competent', 'confident', 'cool', 'dazzling', 'determined', 'eager',
  'ecstatic', 'elastic', 'elegant', 'epic', 'festive', 'focused', 'friendly', 'funny', 'gallant', 'gifted',
  'gracious', 'happy', 'hopeful', 'infallible', 'inspiring', 'jolly', 'keen', 'kind', 'laughing', 'loving',
  'lucid', 'magical', 'modest', 'musing', 'nice', 'nifty', 'nostalgic', 'optimistic', 'peaceful', 'pensive',
  'practical', 'priceless', 'quirky', 'quizzical', 'relaxed', 'reverent', 'romantic', 'serene', 'sharp',
  'silly', 'sleepy', 'stoic', 'strange', 'sweet', 'tender', 'thirsty', 'trusting', 'upbeat', 'vibrant',
  'vigilant', 'wizardly', 'wonderful', 'youthful', 'zealous', 'zen',
];
const surnames = [
  'agnesi', 'albattani', 'allen', 'archimedes', 'babbage', 'banach', 'bardeen', 'bartik', 'bell', 'bhabha',
  'blackwell', 'bohr', 'boole', 'borg', 'bose', 'carson', 'cerf', 'chandrasekhar', 'curie', 'darwin',
  'dijkstra', 'easley', 'einstein', 'euclid', 'euler', 'faraday', 'fermat', 'fermi', 'feynman', 'franklin',
  'galileo', 'gauss', 'goldberg', 'goodall', 'hamilton', 'hawking', 'heisenberg', 'hopper', 'hypatia',
  'jackson', 'johnson', 'kalam', 'kepler', 'knuth', 'lamarr', 'lamport', 'leakey', 'liskov', 'lovelace',
  'mayer', 'mccarthy', 'meitner', 'mendel', 'mirzakhani', 'morse', 'napier', 'newton', 'noether', 'pascal',
  'payne', 'perlman', 'poincare', 'ramanujan', 'ritchie', 'sammet', 'shannon', 'shockley', 'sinoussi',
  'stonebraker', 'tesla', 'thompson', 'torvalds', 'turing', 'villani', 'wiles', 'wozniak', 'wright', 'yalow',
];

/**
 * A docker-style generated name (`adjective_surname`), not in `taken`; after a few
 * collisions a random digit is appended, as docker does.
 */
export function generateContainerName(taken: (name: string) => boolean): string {
  for (let attempt = 0; ; attempt += 1) {
    let name = `${adjectives[randomInt(adjectives.length)]}_${surnames[randomInt(surnames.length)]}`;
    if (attempt > 3) name += String(randomInt(10));
    if (!taken(name)) return name;
  }
}
