// PageUp's fixed vocabulary for the Document API, as the vendor describes it.

export const DOCUMENT_READ_SCOPE = 'Public.Document.Read';

export const DOCUMENT_WRITE_SCOPE = 'Public.Document.Write';

export const DOCUMENT_SCOPES: readonly string[] = [DOCUMENT_READ_SCOPE, DOCUMENT_WRITE_SCOPE];

/** System document categories (lLKP_SystemDocumentCategoryID) and their names. */
export const SYSTEM_DOCUMENT_CATEGORIES: ReadonlyMap<number, string> = new Map([
	[7, 'Resume'],
	[10, 'Agency'],
	[13, 'MailMatcherEmail'],
	[14, 'PositionDescription'],
	[17, 'ReportBuilderTemplate'],
	[18, 'EmployeeDocument'],
	[19, 'JobNote'],
]);

export const DOWNLOAD_LINK_SECONDS = { min: 10, max: 300, default: 60 } as const;

export const FIRST_DOCUMENT_ID = 1001;

export const MAX_FILE_NAME_BYTES = 255;
