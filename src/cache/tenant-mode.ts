import { checkOneOf } from '../validation';

/** Validates a `tenant` option (see `TenantMode`), from the service's options or a decorator's. */
export const checkTenantMode = checkOneOf(['optional', 'required', 'shared']);
