/**
 * Which server we talk to. MySQL and MariaDB share the wire protocol and most SQL but differ in
 * types (MariaDB has a native UUID from 10.7; its JSON is LONGTEXT plus a CHECK) and catalog
 * details (MariaDB quotes column defaults in information_schema, MySQL does not).
 */
export interface ServerFlavour {
  readonly kind: 'mysql' | 'mariadb';
  readonly major: number;
  readonly minor: number;
  /** `UUID` exists as a column type (MariaDB ≥ 10.7). */
  readonly nativeUuid: boolean;
  /** information_schema.COLUMN_DEFAULT holds SQL text (quoted literals, `NULL`): MariaDB ≥ 10.2.7. */
  readonly defaultsAreSql: boolean;
  /**
   * Byte-exact collation without PAD SPACE, so that 'a' and 'a ' are different keys (utf8mb4_bin
   * pads: they would collide in a primary key and both match a lookup of 'a').
   */
  readonly exactCollation: string;
}

/** Reads `SELECT VERSION()`, e.g. `10.11.19-MariaDB-0+deb12u1` or `8.0.36`. */
export function parseServerVersion(version: string): ServerFlavour {
  const [major = 0, minor = 0] = (/^(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  const kind = /mariadb/i.test(version) ? 'mariadb' : 'mysql';
  const atLeast = (ma: number, mi: number) => major > ma || (major === ma && minor >= mi);
  return {
    kind,
    major,
    minor,
    nativeUuid: kind === 'mariadb' && atLeast(10, 7),
    defaultsAreSql: kind === 'mariadb' && atLeast(10, 2),
    exactCollation:
      kind === 'mariadb' ? (atLeast(10, 2) ? 'utf8mb4_nopad_bin' : 'utf8mb4_bin') : atLeast(8, 0) ? 'utf8mb4_0900_bin' : 'utf8mb4_bin',
  };
}
