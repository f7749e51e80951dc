/**
 * The shell classifier: parses a command line with tree-sitter-bash, follows every executed
 * command through wrappers, shells, encodings and interpreters, and judges each with its
 * grammar (RISK.md). Synchronous once created.
 */
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';
import type { SqlDialect } from '../../core/action.js';
import type { Assessment } from '../../core/assessment.js';
import { assessmentFromEffects } from '../../core/assessment.js';
import type { ClassifyContext } from '../../core/ports.js';
import { ScriptEvaluator } from './evaluator.js';
import { unknownResult } from './rule-kit.js';
import type { ToolResult, ToolRuleTable } from './tool-rule.js';
import { shellRules } from './tools/index.js';

/** The SQL classifier as the shell classifier uses it (structural subset of `SqlClassifier`). */
export interface ShellSqlClassifier {
  classify(
    sql: string,
    dialect: SqlDialect,
    database?: { readonly host?: string; readonly port?: number; readonly name?: string },
  ): ToolResult;
}

/** Options of {@link ShellClassifier.create}. */
export interface ShellClassifierOptions {
  /** Judges SQL found in `psql -c`, `mysql -e`, heredocs fed to database CLIs. */
  readonly sql: ShellSqlClassifier;
  /** Replaces the built-in grammar table (tests); defaults to every grammar in `tools/`. */
  readonly rules?: ToolRuleTable;
}

// Invisible or direction-changing characters that make what an approver reads differ from what runs.
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD]/;

/**
 * Classifies shell command lines. Create once with {@link ShellClassifier.create} (loads the
 * WebAssembly grammar) and reuse; `classify` is synchronous and allocation-light.
 * Security: fails closed. Anything it cannot follow is `unknown`, never `read`.
 */
export class ShellClassifier {
  private constructor(
    private readonly parser: Parser,
    private readonly sql: ShellSqlClassifier,
    private readonly rules: ToolRuleTable,
  ) {}

  /**
   * Loads web-tree-sitter and the bash grammar. Rejects when the WebAssembly files cannot be
   * found or loaded (a broken install), which callers treat as a start-up failure.
   */
  static async create(options: ShellClassifierOptions): Promise<ShellClassifier> {
    await Parser.init();
    const require = createRequire(import.meta.url);
    const language = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return new ShellClassifier(parser, options.sql, options.rules ?? shellRules);
  }

  /**
   * Classifies one command line (or script). Never throws: any internal error yields risk
   * `unknown` with the error as a reason. `context.env` feeds targeting (PGHOST, KUBECONFIG …)
   * but never resolves variables in the text (RISK.md assumption 6).
   */
  classify(command: string, context: ClassifyContext = {}): Assessment {
    try {
      return this.assess(command, context);
    } catch (error) {
      const r = unknownResult(command, `the shell classifier failed: ${error instanceof Error ? error.message : String(error)}`);
      return assessmentFromEffects({ kind: 'shell', effects: r.effects, reasons: ['internal error; failing closed'] });
    }
  }

  private assess(command: string, context: ClassifyContext): Assessment {
    const evaluator = new ScriptEvaluator(
      {
        parse: (script) => this.parser.parse(script),
        rules: this.rules,
        classifySql: (sql, dialect, database) => this.sql.classify(sql, dialect, database),
        env: context.env ?? {},
        dataPaths: context.dataPaths ?? [],
        ...(context.cwd !== undefined ? { cwd: context.cwd } : {}),
      },
      0,
    );
    const result = evaluator.runScript(command);
    const effects = [...result.effects];
    const reasons = [...(result.reasons ?? [])];
    if (INVISIBLE.test(command)) {
      effects.push(...unknownResult('input', 'the input holds invisible or bidirectional Unicode control characters').effects);
    }
    if (effects.length === 0) {
      effects.push({
        verb: 'read',
        resource: 'nothing',
        scope: 'none',
        reversible: true,
        risk: 'read',
        disruptive: false,
        reason: command.trim() === '' ? 'empty input' : 'no command executes',
        source: command,
      });
    }
    return assessmentFromEffects({
      kind: result.kind,
      effects,
      targets: result.targets ?? [],
      obfuscated: result.obfuscated ?? false,
      reasons: [...new Set(reasons)],
    });
  }
}
