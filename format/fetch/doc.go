// Package fetch downloads gensim-data's pre-trained vector sets (see
// format.Lookup) into a cache directory, resuming partial downloads and
// verifying their published md5. Importing it, even for its side effect
// only, registers its downloader with format.RegisterDownloader, which
// IMPORT … FROM CATALOG uses; it lives apart from package format so that a
// program that does not download links no HTTP or TLS code.
package fetch
