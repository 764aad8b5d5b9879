import { describe, expect, it } from 'vitest';
import { starterProject, withEnvPassword } from '../../../src/cli/commands/init-command.js';
import { compilePlan } from '../../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../../src/mapping/project/load-project.js';

describe('crmbridge init', () => {
  it('writes a starter that loads and compiles', () => {
    const project = parseProject(starterProject('mysql://crm@db:3306/sugar', 'sqlite:modern.db'), 'crmbridge.yaml');
    expect(project.options.batchSize).toBe(2000);
    expect(compilePlan(project).objects.map((o) => o.name)).toEqual(['companies']);
  });

  it('turns a password typed into a URL into an env reference', () => {
    expect(withEnvPassword('postgres://app:s3cret@host/db', 'TARGET_PASSWORD')).toBe('postgres://app:${env:TARGET_PASSWORD}@host/db');
    expect(withEnvPassword('postgres://app:${env:PW}@host/db', 'X')).toBe('postgres://app:${env:PW}@host/db');
    expect(withEnvPassword('sqlite:a.db', 'X')).toBe('sqlite:a.db');
    const text = starterProject('postgres://app:s3cret@host/db', 'sqlite:b.db');
    expect(text).not.toContain('s3cret');
    expect(() => parseProject(text, 'crmbridge.yaml')).not.toThrow();
  });
});
