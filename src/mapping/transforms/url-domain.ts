import { domainToUnicode } from 'node:url';
import validator from 'validator';
import { z } from 'zod';
import { onInvalid } from './params.js';
import { single, type TransformDefinition, TransformError } from './transform.js';
import { isBlankText, textOf } from './value-text.js';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const WWW = /^www\d*\./;
const TRAILING_DOT = /\.$/;

const urlDomainParams = z.strictObject({ on_invalid: onInvalid }).default({ on_invalid: 'reject' });

/**
 * A URL (`https://www.Example.com/about`), a bare host (`example.com`) or an email address
 * (`jo@example.com`) to its domain: lower case, no `www.`, international names in Unicode.
 */
export const urlDomain: TransformDefinition<z.output<typeof urlDomainParams>> = {
  name: 'url_domain',
  usage: 'url_domain: { on_invalid?: reject | null }',
  params: urlDomainParams,
  compile: ({ on_invalid }) =>
    single((value) => {
      const text = textOf('url_domain', value).trim();
      if (isBlankText(text)) return null;
      let host = '';
      const hasScheme = SCHEME.test(text);
      // Without a scheme, an email address keeps what follows its last @ (all of the text when none).
      const candidate = hasScheme ? text : `http://${text.slice(text.lastIndexOf('@') + 1)}`;
      try {
        host = new URL(candidate).hostname;
      } catch {
        // not a URL: falls through to the invalid branch
      }
      const domain = domainToUnicode(host.replace(TRAILING_DOT, '')).toLowerCase().replace(WWW, '');
      if (domain !== '' && validator.isFQDN(domain, { allow_underscores: true })) return domain;
      if (on_invalid === 'null') return null;
      throw new TransformError('url_domain', 'invalid_domain', value);
    }),
};
