import './fakeVscode';
import { strict as assert } from 'node:assert';
import { FakeDocument, window, workspace } from './fakeVscode';
import {
  chooseTrainSettings,
  countOf,
  describeSettings,
  QUICK_TRIAL,
  quickTrialChoice,
  quickTrialLabel,
} from '../../src/extension/trainSettings';

type PickItem = { label: string; choice?: string; value?: string };
type Fake = Record<string, unknown>;

/** Scripts the quick picks and input boxes: each answer picks the item whose label contains it, or types a value. */
function script(answers: string[]): { menus: PickItem[][] } {
  const menus: PickItem[][] = [];
  (window as Fake).showQuickPick = async (items: PickItem[]) => {
    menus.push(items);
    const answer = answers.shift();
    return answer === undefined ? undefined : items.find((item) => item.label.includes(answer));
  };
  (window as Fake).showInputBox = async () => answers.shift();
  return { menus };
}

describe('train settings: quick trial and plurals', () => {
  const document = new FakeDocument('/w/cnn.model.json', 'json', '{ "layers": [] }');
  before(() => {
    (workspace as Fake).asRelativePath = (uri: { fsPath?: string; path?: string }) => uri.fsPath ?? uri.path ?? String(uri);
  });
  after(() => {
    delete (window as Fake).showQuickPick;
    delete (window as Fake).showInputBox;
    delete (workspace as Fake).asRelativePath;
  });

  it('the quick trial is one epoch on 2,000 training and 500 test examples', () => {
    assert.deepEqual(QUICK_TRIAL, { trainExamples: 2000, testExamples: 500, epochs: 1 });
    assert.equal(quickTrialLabel(), 'Quick trial (2,000 examples, 1 epoch)');
  });

  it('a quick trial keeps the other changes and limits the examples as TrainJob names them', () => {
    assert.deepEqual(quickTrialChoice({ dataset: 'mnist', epochs: 20, batchSize: 64 }), {
      overrides: { dataset: 'mnist', epochs: 1, batchSize: 64 },
      limits: { trainExamples: 2000, testExamples: 500 },
    });
  });

  it('picking Quick trial in the settings pick starts it with the changes made so far', async () => {
    const { menus } = script(['Change batch size', '64', 'Quick trial']);
    const choice = await chooseTrainSettings(document as never, { dataset: 'fashion-mnist', epochs: 5 });
    assert.deepEqual(choice, { overrides: { batchSize: 64, epochs: 1 }, limits: { trainExamples: 2000, testExamples: 500 } });
    assert.ok(menus[0].some((item) => item.label.endsWith('Quick trial (2,000 examples, 1 epoch)')));
  });

  it('starting normally has no example limits', async () => {
    script(['Start with these settings']);
    assert.deepEqual(await chooseTrainSettings(document as never, { epochs: 5 }), { overrides: {} });
    script([]);
    assert.equal(await chooseTrainSettings(document as never, { epochs: 5 }), undefined);
  });

  it('says "1 epoch", not "1 epochs"', () => {
    assert.equal(describeSettings({ dataset: 'mnist', epochs: 1, batchSize: 32 }), 'dataset mnist · 1 epoch · batch 32');
    assert.match(describeSettings({ epochs: 2 }), /· 2 epochs ·/);
    assert.equal(countOf(1, 'epoch'), '1 epoch');
    assert.equal(countOf(2000, 'example'), '2,000 examples');
  });
});
