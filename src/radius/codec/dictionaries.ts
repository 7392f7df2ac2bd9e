import radius from 'radius';
import { paths } from '../../paths';
import { loadDictionary, packageDictionaryDir } from '../dictionary';

/**
 * The dictionaries, loaded once when this module loads, before any encode or decode: the `radius` package needs
 * ours added before its first use, and the codec names and types attributes by the package's RFC dictionaries and
 * ours (radius/dictionary.ts). The package is re-exported from here so that whoever uses it gets it configured.
 */

radius.add_dictionary(paths.radiusDictionaries);
radius.load_dictionaries();
export const dictionary = loadDictionary([packageDictionaryDir(), paths.radiusDictionaries]);

export { radius };
