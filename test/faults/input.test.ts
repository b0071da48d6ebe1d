// Hostile and malformed input: refused with an error naming the parameter, before any request.
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IDataObject } from 'n8n-workflow';

import type { SourceItem } from '../../runner/fileSource';
import {
	downloadUrlParameters,
	errorMessage,
	fileItem,
	uploadParameters,
	type NodeRunResult,
} from '../support/pageup';
import { errorDescription, runWithCredential, useWorld } from './support';

const world = useWorld();

/** Every request of every kind the sandbox counted since the test began, token included. */
const requestsSent = () =>
	Object.values(world().sandbox.stats().requestsByKind).reduce((sum, count) => sum + count, 0);

async function run(parameters: IDataObject, items: SourceItem[] = [fileItem('cv.txt', 'resume')]) {
	return await world().runNode({ items, parameters });
}

function expectRefusedBeforeAnyRequest(result: NodeRunResult, message: string | RegExp) {
	expect(result.error?.message).toEqual(
		typeof message === 'string' ? message : expect.stringMatching(message),
	);
	expect(requestsSent()).toBe(0);
	expect(world().sandbox.requests()).toEqual([]);
}

describe('the input file', () => {
	it('is refused when the item has no binary field of that name', async () => {
		const result = await run(uploadParameters({ binaryPropertyName: 'attachment' }));

		expectRefusedBeforeAnyRequest(
			result,
			'Input Binary Field: item 0 has no binary field "attachment"',
		);
		expect(errorDescription(result)).toBe(
			"This item's binary fields are: data. Set Input Binary Field to one of them.",
		);
	});

	it('is refused when the item has no binary data at all', async () => {
		const result = await run(uploadParameters(), [{ json: { name: 'no file' } }]);

		expectRefusedBeforeAnyRequest(result, 'Input Binary Field: item 0 has no binary field "data"');
		expect(errorDescription(result)).toContain('This item has no binary data.');
	});

	it('is refused when it is empty (0 bytes)', async () => {
		const result = await run(uploadParameters(), [fileItem('empty.txt', '')]);

		expectRefusedBeforeAnyRequest(
			result,
			'Input Binary Field: the file in "data" is empty (0 bytes)',
		);
	});

	describe('larger than the 5 GiB that one S3 PUT can carry', () => {
		// n8n reports the size from its binary store; writing 5 GiB would prove nothing more.
		beforeEach(() => {
			const binaryData = Container.get(BinaryDataService);
			const getMetadata = binaryData.getMetadata.bind(binaryData);
			jest.spyOn(binaryData, 'getMetadata').mockImplementation(async (id) => ({
				...(await getMetadata(id)),
				fileSize: 5 * 1024 ** 3 + 1,
			}));
		});

		afterEach(() => jest.restoreAllMocks());

		it('is refused, naming the limit', async () => {
			const result = await run(uploadParameters());

			expectRefusedBeforeAnyRequest(
				result,
				'Input Binary Field: the file in "data" is 5368709121 bytes, over the 5 GiB ' +
					'(5,368,709,120 bytes) that one upload to PageUp can carry',
			);
		});
	});
});

describe('the file name', () => {
	it.each([
		['a path separator', 'cv/../../etc/passwd', 'contains a path separator (/ or \\)'],
		['a backslash', 'C:\\cv.pdf', 'contains a path separator (/ or \\)'],
		['only two dots', '..', 'is a directory name'],
		['only one dot', '.', 'is a directory name'],
		['a NUL byte', 'cv\u0000.pdf', 'contains a control character'],
		['a line break', 'cv\r\nX-Injected: 1.pdf', 'contains a control character'],
		['a C1 control character', 'cv\u0085.pdf', 'contains a control character'],
		[
			'a right-to-left override',
			'cv\u202efdp.exe',
			'contains an invisible text-direction character',
		],
		['half a surrogate pair', 'cv\ud83d.pdf', 'contains a broken Unicode character'],
		['256 bytes', `${'a'.repeat(252)}.pdf`, 'is longer than 255 bytes'],
		['256 bytes of two-byte letters', `${'é'.repeat(126)}.pdf`, 'is longer than 255 bytes'],
	])('with %s is refused', async (_, fileName, problem) => {
		const result = await run(uploadParameters({ fileName }));

		expectRefusedBeforeAnyRequest(
			result,
			`File Name ${problem}: give a plain file name such as "resume.pdf"`,
		);
	});

	it('taken from the binary is checked too, and named as such', async () => {
		const result = await run(uploadParameters(), [fileItem('cv\u0007.txt', 'resume')]);

		expectRefusedBeforeAnyRequest(
			result,
			'File Name (from the binary) contains a control character: give a plain file name ' +
				'such as "resume.pdf"',
		);
	});

	it.each([
		['a question mark', 'what?.pdf'],
		['a hash', 'cv #1.pdf'],
		['a percent sign', '100% me.pdf'],
		['query-like characters', 'a?b#c%d&e=f+g.pdf'],
		['spaces and accents', 'jane doe résumé.pdf'],
		['Japanese', '履歴書.pdf'],
		['an emoji', '📄 cv.pdf'],
		['leading dots', '..cv.pdf'],
		['exactly 255 bytes', `${'a'.repeat(251)}.pdf`],
	])('with %s is accepted and arrives in PageUp exactly as given', async (_, fileName) => {
		const result = await run(uploadParameters({ fileName }));

		expect(result.error).toBeUndefined();
		const document = world().sandbox.document(result.items[0].json.documentId as number);
		expect(document).toMatchObject({ fileName, physicalFile: fileName, title: fileName });
	});
});

describe('Expires In Seconds', () => {
	it.each([9, 301, 60.5, 'abc', -60, ''])('%p is refused', async (expiresInSeconds) => {
		const result = await run(downloadUrlParameters(1001, { expiresInSeconds }), [{ json: {} }]);

		expectRefusedBeforeAnyRequest(
			result,
			/^Expires In Seconds must be a whole number from 10 to 300 \(got /,
		);
	});
});

describe('a PageUp ID', () => {
	it.each([0, -1, 1.5, 'abc', '12abc', 1e12, '', Number.NaN])(
		'%p as Document ID is refused',
		async (documentId) => {
			const result = await run(downloadUrlParameters(documentId), [{ json: {} }]);

			expectRefusedBeforeAnyRequest(
				result,
				/^Document ID must be a PageUp ID: a whole number from 1 to 2147483647 \(got /,
			);
		},
	);

	const links = [
		['applicantId', 'Applicant ID'],
		['applicationId', 'Application ID'],
		['jobId', 'Job ID'],
		['offerId', 'Offer ID'],
		['providerId', 'Provider ID'],
		['replaceDocumentId', 'Replace Document ID'],
	];
	const badIds = [-1, 1.5, 'abc', 1e12];

	it.each(links.flatMap(([field, label]) => badIds.map((value) => [label, value, field])))(
		'%s of %p is refused',
		async (label, value, field) => {
			const result = await run(uploadParameters({ additionalFields: { [field]: value } }));

			expectRefusedBeforeAnyRequest(
				result,
				new RegExp(`^${label} must be a PageUp ID: a whole number from 1 to 2147483647`),
			);
		},
	);
});

describe('the document category', () => {
	it('is refused when both a System Category and a Tenant Category Name are set', async () => {
		const result = await run(
			uploadParameters({ documentCategoryId: 7, documentCategoryName: 'Cover Letter' }),
		);

		expectRefusedBeforeAnyRequest(
			result,
			'System Category and Tenant Category Name are both set, and PageUp takes only one',
		);
	});

	it('is refused when neither is set', async () => {
		const result = await run(
			uploadParameters({ documentCategoryId: 0, documentCategoryName: '  ' }),
		);

		expectRefusedBeforeAnyRequest(result, 'No document category is set');
		expect(errorDescription(result)).toContain('give a Tenant Category Name');
	});

	it("is refused when the System Category is not one of PageUp's", async () => {
		const result = await run(uploadParameters({ documentCategoryId: 99 }));

		expectRefusedBeforeAnyRequest(result, 'System Category 99 is not a PageUp system category');
		expect(errorDescription(result)).toContain('7 (Resume)');
	});
});

describe('the credential', () => {
	async function runWith(changes: IDataObject) {
		return await runWithCredential(world(), changes, {
			items: [fileItem('cv.txt', 'resume')],
			parameters: uploadParameters(),
		});
	}

	it.each(['21a', '218/../1', '-218', '２１８', '218 219', ''])(
		'with Tenant ID %p is refused',
		async (tenantId) => {
			const result = await runWith({ tenantId });

			expectRefusedBeforeAnyRequest(
				result,
				'PageUp API credential: Tenant ID must be digits only, such as 218. PageUp gives it ' +
					'with your API credentials.',
			);
		},
	);

	it.each([
		['Token URL', 'ftp://login.example.com/connect/token', 'tokenUrl'],
		['Token URL', 'javascript:alert(1)', 'tokenUrl'],
		['Token URL', 'file:///etc/passwd', 'tokenUrl'],
		['API Root URL', 'ftp://api.example.com/v3/218/recruitment/document', 'apiRootUrl'],
		['API Root URL', 'javascript:alert(1)', 'apiRootUrl'],
	])('with %s %p is refused', async (label, url, field) => {
		const result = await runWith({ [field]: url });

		expectRefusedBeforeAnyRequest(
			result,
			`PageUp API credential: ${label} must start with https:// (or http:// for local tests).`,
		);
	});

	it('with an override that is not an address at all is refused', async () => {
		const result = await runWith({ apiRootUrl: 'api.dc2.pageuppeople.com/v3/218' });

		expectRefusedBeforeAnyRequest(
			result,
			'PageUp API credential: API Root URL must be a full http(s) address.',
		);
	});

	it('with a user name in an override URL is refused, so no password hides in it', async () => {
		const result = await runWith({ tokenUrl: 'https://user:pass@login.example.com/connect/token' });

		expectRefusedBeforeAnyRequest(
			result,
			'PageUp API credential: Token URL must not hold a user name or password.',
		);
		expect(errorMessage(result)).not.toContain('pass@');
	});
});
