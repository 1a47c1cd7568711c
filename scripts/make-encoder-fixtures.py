#!/usr/bin/python3
"""Build the tiny transformer encoders that test textkit's encoder family (issue 12).

Run with Debian's python3 (torch 1.13, sentencepiece):

    /usr/bin/python3 scripts/make-encoder-fixtures.py                # test fixtures
    /usr/bin/python3 scripts/make-encoder-fixtures.py --bench DIR    # benchmark-sized models

The test fixtures (test/fixtures/encoders/, committed, a few hundred KB) are:

- ``bert-wordpiece``: a 2-layer BERT-shaped model over a small English + Chinese WordPiece
  vocabulary, in the sentence-transformers layout (tokenizer.json, onnx/model.onnx,
  modules.json + 1_Pooling/config.json: mean pooling, normalised);
- ``bert-vocab``: the same weights with only vocab.txt + tokenizer_config.json and the ONNX
  file at the root, no pooling configuration;
- ``xlmr-unigram``: a 2-layer XLM-R-shaped model (positions counted from the padding id, no
  token_type_ids input) over a SentencePiece Unigram model trained here on a small text,
  converted to a tokenizer.json Unigram the way Hugging Face converts XLM-R's;
- ``odd-inputs/model.onnx``: a small graph that wants ``position_ids`` fed in, which textkit
  refuses (ENCODER_UNSUPPORTED);
- ``reference.json``: for every fixture and text, the token ids from an independent
  reference (the WordPiece implementation below; the sentencepiece library) and the pooled
  embeddings of PyTorch's forward pass (mean, CLS, max, mean normalised), each text alone;
- ``hidden-states.json``: bert-wordpiece's last hidden state before pooling, every token of
  one sentence given as words, with each piece's word (``--hidden-states`` writes only it).

Weights are random (seeded): these models say nothing about accuracy, only about whether
textkit computes exactly what PyTorch computes.
"""

import argparse
import json
import math
import os
import shutil
import tempfile
import unicodedata

import torch
from torch import nn

SEED = 12
OPSET = 14

# --------------------------------------------------------------------------------------
# The model: BERT's encoder, written out so that nothing but torch is needed.
# --------------------------------------------------------------------------------------


class Layer(nn.Module):
    def __init__(self, hidden, heads, intermediate, eps):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.o = nn.Linear(hidden, hidden)
        self.ln1 = nn.LayerNorm(hidden, eps=eps)
        self.up = nn.Linear(hidden, intermediate)
        self.down = nn.Linear(intermediate, hidden)
        self.ln2 = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x, bias):
        b, s, h = x.shape
        d = h // self.heads

        def split(t):
            return t.view(b, s, self.heads, d).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d) + bias
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.o(ctx))
        return self.ln2(x + self.down(nn.functional.gelu(self.up(x))))


class Encoder(nn.Module):
    """BERT (``xlmr=False``) or XLM-R (positions from the padding id, no token types)."""

    def __init__(self, cfg, xlmr):
        super().__init__()
        h = cfg["hidden_size"]
        self.xlmr = xlmr
        self.pad = cfg["pad_token_id"]
        self.word = nn.Embedding(cfg["vocab_size"], h)
        self.position = nn.Embedding(cfg["max_position_embeddings"], h)
        self.token_type = nn.Embedding(cfg["type_vocab_size"], h)
        self.ln = nn.LayerNorm(h, eps=cfg["layer_norm_eps"])
        self.layers = nn.ModuleList(
            Layer(h, cfg["num_attention_heads"], cfg["intermediate_size"], cfg["layer_norm_eps"])
            for _ in range(cfg["num_hidden_layers"])
        )

    def embed(self, input_ids, token_type_ids):
        if self.xlmr:
            mask = input_ids.ne(self.pad).long()
            positions = torch.cumsum(mask, dim=1) * mask + self.pad
            types = torch.zeros_like(input_ids)
        else:
            positions = torch.arange(input_ids.shape[1]).unsqueeze(0).expand_as(input_ids)
            types = token_type_ids
        return self.ln(self.word(input_ids) + self.position(positions) + self.token_type(types))

    def run(self, input_ids, attention_mask, token_type_ids):
        x = self.embed(input_ids, token_type_ids)
        bias = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return x


class BertGraph(nn.Module):
    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.encoder.run(input_ids, attention_mask, token_type_ids)


class XlmrGraph(nn.Module):
    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids, attention_mask):
        return self.encoder.run(input_ids, attention_mask, None)


class PositionsGraph(nn.Module):
    """A graph that wants position_ids fed in, as some exports do: textkit refuses it."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids, attention_mask, position_ids):
        e = self.encoder
        x = e.ln(e.word(input_ids) + e.position(position_ids))
        bias = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        for layer in e.layers:
            x = layer(x, bias)
        return x


def make_encoder(cfg, xlmr, seed, std):
    torch.manual_seed(seed)
    enc = Encoder(cfg, xlmr)
    with torch.no_grad():
        for name, p in enc.named_parameters():
            if name.endswith("ln.weight") or ".ln1.weight" in name or ".ln2.weight" in name:
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            else:
                p.normal_(0.0, std)
    enc.eval()
    return enc


def export_onnx(enc, path, xlmr):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ids = torch.tensor([[2, 7, 8, 3], [2, 9, 3, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    if xlmr:
        graph, args, names = XlmrGraph(enc), (ids, mask), ["input_ids", "attention_mask"]
    else:
        graph = BertGraph(enc)
        args, names = (ids, mask, torch.zeros_like(ids)), ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    axes["last_hidden_state"] = {0: "batch", 1: "sequence"}
    torch.onnx.export(
        graph, args, path, input_names=names, output_names=["last_hidden_state"],
        dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True,
    )


def pooled(enc, ids, xlmr):
    """The four poolings of one text (batch of one, no padding), as sentence-transformers pools."""
    x = torch.tensor([ids], dtype=torch.long)
    mask = torch.ones_like(x)
    with torch.no_grad():
        h = enc.run(x, mask, None if xlmr else torch.zeros_like(x))[0].double()
    mean = h.mean(dim=0)
    return {
        "mean": mean.tolist(),
        "cls": h[0].tolist(),
        "max": h.max(dim=0).values.tolist(),
        "meanNormalized": (mean / mean.norm().clamp(min=1e-12)).tolist(),
    }


# --------------------------------------------------------------------------------------
# WordPiece: the vocabulary and an independent reference tokenizer (BERT's basic tokenizer
# then greedy longest-match-first), written from the algorithm's description.
# --------------------------------------------------------------------------------------

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = (
    "the a an is are was be to of and in on for with my i you it this that not no yes "
    "card cards bank account money transfer pay payment refund balance help please how what "
    "when where why can do does did want need top up cash atm fee fees exchange rate new "
    "lost stolen pin code phone app travel abroad hotel book flight weather today tomorrow "
    "good bad great love hate movie film service slow fast very really"
).split()
SUFFIXES = "s ed ing er ly est ment ".split() + list("abcdefghijklmnopqrstuvwxyz0123456789")
PUNCT = list(".,!?'\"-:;()$%/")
CHINESE = list("我的卡丢了银行账户转账钱怎么办请帮助今天天气很好电影服务慢快不是在有人中国北京上海")


def wordpiece_vocab():
    seen, vocab = set(), []
    for t in SPECIALS + PUNCT + WORDS + [c for c in "abcdefghijklmnopqrstuvwxyz0123456789"] + [
        "##" + s for s in SUFFIXES
    ] + CHINESE:
        if t not in seen:
            seen.add(t)
            vocab.append(t)
    return vocab


def is_punct(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def is_cjk(cp):
    return (
        0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F
    )


def basic_tokens(text):
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch).startswith("C") and ch not in "\t\n\r"):
            continue
        if ch in " \t\n\r" or unicodedata.category(ch) == "Zs":
            out.append(" ")
        elif is_cjk(cp):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    words = []
    for word in "".join(out).split():
        word = unicodedata.normalize("NFD", word.lower())
        word = "".join(c for c in word if unicodedata.category(c) != "Mn")
        cur = ""
        for ch in word:
            if is_punct(ch):
                if cur:
                    words.append(cur)
                words.append(ch)
                cur = ""
            else:
                cur += ch
        if cur:
            words.append(cur)
    return words


def wordpiece_ids(text, vocab):
    index = {t: i for i, t in enumerate(vocab)}
    ids = [index["[CLS]"]]
    for word in basic_tokens(text):
        if len(word) > 100:
            ids.append(index["[UNK]"])
            continue
        pieces, start, bad = [], 0, False
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in index:
                    found = index[piece]
                    break
                end -= 1
            if found is None:
                bad = True
                break
            pieces.append(found)
            start = end
        ids.extend([index["[UNK]"]] if bad else pieces)
    ids.append(index["[SEP]"])
    return ids


def wordpiece_tokenizer_json(vocab, max_length):
    index = {t: i for i, t in enumerate(vocab)}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": index[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True}
            for t in SPECIALS
        ],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": index},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [index[t]], "tokens": [t]} for t in ["[CLS]", "[SEP]"]},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
    }


def bert_tokenizer_config(max_length):
    return {
        "tokenizer_class": "BertTokenizer", "do_lower_case": True, "tokenize_chinese_chars": True,
        "strip_accents": None, "model_max_length": max_length, "unk_token": "[UNK]", "sep_token": "[SEP]",
        "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]",
    }


def bert_config(vocab_size, hidden, layers, heads, intermediate, max_positions):
    return {
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": vocab_size,
        "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads,
        "intermediate_size": intermediate, "hidden_act": "gelu", "max_position_embeddings": max_positions,
        "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0,
    }


# --------------------------------------------------------------------------------------
# SentencePiece Unigram (XLM-R): trained here, converted as Hugging Face converts XLM-R.
# --------------------------------------------------------------------------------------

SP_TEXT = """\
I lost my card yesterday and I need a new one.
How do I transfer money to another bank account?
My payment was declined at the shop this morning.
Can I top up my account with cash at an ATM?
The exchange rate on my transfer looks wrong.
Where can I see my balance and recent payments?
Please help me change the PIN code of my card.
What are the fees for sending money abroad?
I want a refund for a payment I did not make.
The app is very slow today, is the service down?
Book a flight to Beijing for tomorrow morning.
What is the weather like in Shanghai today?
This movie was really good, I loved every minute.
The hotel service was bad and the room was cold.
我的卡丢了，怎么办？
请帮我转账到银行账户。
今天天气很好。
这部电影很好看。
服务太慢了，不是很满意。
北京和上海都在中国。
"""


def train_sentencepiece(workdir):
    import sentencepiece as spm

    corpus = os.path.join(workdir, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        for _ in range(20):
            f.write(SP_TEXT)
    prefix = os.path.join(workdir, "sp")
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=prefix, vocab_size=150, model_type="unigram",
        character_coverage=1.0, seed_sentencepiece_size=2000, num_threads=1,
        normalization_rule_name="nfkc", bos_id=1, eos_id=2, unk_id=0, pad_id=-1,
        minloglevel=2,
    )
    return spm.SentencePieceProcessor(model_file=prefix + ".model")


def xlmr_ids(sp, text):
    # fairseq's offset: HF id = spm id + 1, except spm's <unk> (0) which is HF's 3.
    return [0] + [i + 1 if i != 0 else 3 for i in sp.encode(text)] + [2]


def unigram_tokenizer_json(sp):
    vocab = [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0]]
    vocab += [[sp.id_to_piece(i), sp.get_score(i)] for i in range(3, sp.get_piece_size())]
    vocab.append(["<mask>", 0.0])
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    added = [
        {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for i, t in enumerate(specials)
    ]
    added.append({"id": len(vocab) - 1, "content": "<mask>", "single_word": False, "lstrip": True,
                  "rstrip": False, "normalized": False, "special": True})
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": False},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {t: {"id": t, "ids": [i], "tokens": [t]} for t, i in [("<s>", 0), ("</s>", 2)]},
        },
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
    }


# --------------------------------------------------------------------------------------
# Writing the folders
# --------------------------------------------------------------------------------------

TEXTS = [
    "How do I transfer money to my bank account?",
    "I lost my card",
    "Refunds, fees & exchange-rates: what's new?",
    "Café déjà vu",
    "我的卡丢了，怎么办？",
    "今天天气很好 and the weather is good",
    "unknownwordzz qwxj",
    "Book a flight to Beijing tomorrow",
    "a",
    "This  movie   was really good",
]


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=1)
        f.write("\n")


def sentence_transformers_files(folder, hidden, mode, normalize):
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    if normalize:
        modules.append({"idx": 2, "name": "2", "path": "2_Normalize",
                        "type": "sentence_transformers.models.Normalize"})
    write_json(os.path.join(folder, "modules.json"), modules)
    write_json(os.path.join(folder, "1_Pooling", "config.json"), {
        "word_embedding_dimension": hidden, "pooling_mode_cls_token": mode == "cls",
        "pooling_mode_mean_tokens": mode == "mean", "pooling_mode_max_tokens": mode == "max",
        "pooling_mode_mean_sqrt_len_tokens": False,
    })


def build_wordpiece_fixtures(out, reference):
    vocab = wordpiece_vocab()
    cfg = bert_config(len(vocab), 32, 2, 4, 64, 64)
    enc = make_encoder(cfg, xlmr=False, seed=SEED, std=0.3)
    a = os.path.join(out, "bert-wordpiece")
    write_json(os.path.join(a, "config.json"), cfg)
    write_json(os.path.join(a, "tokenizer.json"), wordpiece_tokenizer_json(vocab, 64))
    write_json(os.path.join(a, "tokenizer_config.json"), bert_tokenizer_config(64))
    sentence_transformers_files(a, 32, "mean", True)
    export_onnx(enc, os.path.join(a, "onnx", "model.onnx"), xlmr=False)
    b = os.path.join(out, "bert-vocab")
    write_json(os.path.join(b, "config.json"), cfg)
    write_json(os.path.join(b, "tokenizer_config.json"), bert_tokenizer_config(64))
    with open(os.path.join(b, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    shutil.copyfile(os.path.join(a, "onnx", "model.onnx"), os.path.join(b, "model.onnx"))
    # A small graph with an input textkit does not feed (position_ids), for the refusal test.
    odd = make_encoder(bert_config(len(vocab), 8, 1, 2, 16, 64), xlmr=False, seed=SEED, std=0.3)
    ids = torch.tensor([[2, 7, 8, 3]], dtype=torch.long)
    names = ["input_ids", "attention_mask", "position_ids"]
    os.makedirs(os.path.join(out, "odd-inputs"), exist_ok=True)
    torch.onnx.export(
        PositionsGraph(odd), (ids, torch.ones_like(ids), torch.arange(4).unsqueeze(0)),
        os.path.join(out, "odd-inputs", "model.onnx"), input_names=names, output_names=["last_hidden_state"],
        dynamic_axes={n: {0: "batch", 1: "sequence"} for n in names + ["last_hidden_state"]},
        opset_version=OPSET, do_constant_folding=True,
    )
    rows = []
    for text in TEXTS:
        ids = wordpiece_ids(text, vocab)
        rows.append({"text": text, "ids": ids, **pooled(enc, ids, False)})
    reference["bert"] = rows


def build_unigram_fixture(out, reference):
    with tempfile.TemporaryDirectory() as work:
        sp = train_sentencepiece(work)
        tok = unigram_tokenizer_json(sp)
        c = os.path.join(out, "xlmr-unigram")
        max_length = 64
        cfg = {
            "architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta", "vocab_size": len(tok["model"]["vocab"]),
            "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64,
            "hidden_act": "gelu", "max_position_embeddings": max_length + 2, "type_vocab_size": 1,
            "layer_norm_eps": 1e-5, "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2,
        }
        enc = make_encoder(cfg, xlmr=True, seed=SEED + 1, std=0.3)
        write_json(os.path.join(c, "config.json"), cfg)
        write_json(os.path.join(c, "tokenizer.json"), tok)
        write_json(os.path.join(c, "tokenizer_config.json"), {
            "tokenizer_class": "XLMRobertaTokenizer", "model_max_length": max_length, "bos_token": "<s>",
            "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>", "cls_token": "<s>",
            "pad_token": "<pad>", "mask_token": "<mask>",
        })
        sentence_transformers_files(c, 32, "cls", False)
        export_onnx(enc, os.path.join(c, "onnx", "model.onnx"), xlmr=True)
        rows = []
        for text in TEXTS:
            ids = xlmr_ids(sp, text)
            rows.append({"text": text, "ids": ids, **pooled(enc, ids, True)})
        reference["xlmr"] = rows


# A sentence given as words, for the tagger's token vectors: words of several pieces, a
# word the vocabulary cannot spell ([UNK]) and Chinese characters, one word each.
STATE_WORDS = ["unknownwordzz", "transfers", "我", "的", "卡", "card", "qqqq"]


def build_hidden_states(out):
    """hidden-states.json: bert-wordpiece's last hidden state (every token, no pooling) of
    STATE_WORDS, with each piece's word index from the reference tokenizer. The weights are
    rebuilt from the seed; the pooled mean is checked against reference.json first, so the
    file can be added without rewriting the committed ONNX files."""
    vocab = wordpiece_vocab()
    cfg = bert_config(len(vocab), 32, 2, 4, 64, 64)
    enc = make_encoder(cfg, xlmr=False, seed=SEED, std=0.3)
    with open(os.path.join(out, "reference.json"), encoding="utf-8") as f:
        first = json.load(f)["bert"][0]
    again = pooled(enc, first["ids"], False)["mean"]
    assert max(abs(a - b) for a, b in zip(again, first["mean"])) < 1e-9, "weights differ from the fixture's"
    ids, word_of = [vocab.index("[CLS]")], [-1]
    for w, word in enumerate(STATE_WORDS):
        pieces = wordpiece_ids(word, vocab)[1:-1]
        ids.extend(pieces)
        word_of.extend([w] * len(pieces))
    ids.append(vocab.index("[SEP]"))
    word_of.append(-1)
    x = torch.tensor([ids], dtype=torch.long)
    with torch.no_grad():
        h = enc.run(x, torch.ones_like(x), torch.zeros_like(x))[0].double()
    write_json(os.path.join(out, "hidden-states.json"), {
        "folder": "bert-wordpiece", "words": STATE_WORDS, "ids": ids, "wordOf": word_of, "states": h.tolist(),
    })


def bench_vocab(text_file, size):
    """The fixture vocabulary plus the `size` commonest words of a text file, so that the
    benchmark's texts get about as many tokens per word as a real BERT vocabulary gives."""
    vocab = wordpiece_vocab()
    if text_file is None:
        return vocab
    counts = {}
    with open(text_file, encoding="utf-8") as f:
        for line in f:
            for word in basic_tokens(line):
                counts[word] = counts.get(word, 0) + 1
    known = set(vocab)
    for word, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]:
        if word not in known:
            vocab.append(word)
            known.add(word)
    return vocab


def build_bench_models(out, text_file):
    """MiniLM-L6-shaped and BERT-base-shaped encoders with random weights, for bench:encoder."""
    vocab = bench_vocab(text_file, 8000)
    for name, hidden, layers, heads, inter in [("minilm-l6", 384, 6, 12, 1536), ("bert-base", 768, 12, 12, 3072)]:
        cfg = bert_config(len(vocab), hidden, layers, heads, inter, 512)
        enc = make_encoder(cfg, xlmr=False, seed=SEED, std=0.02)
        folder = os.path.join(out, name)
        write_json(os.path.join(folder, "config.json"), cfg)
        write_json(os.path.join(folder, "tokenizer.json"), wordpiece_tokenizer_json(vocab, 512))
        write_json(os.path.join(folder, "tokenizer_config.json"), bert_tokenizer_config(512))
        sentence_transformers_files(folder, hidden, "mean", True)
        export_onnx(enc, os.path.join(folder, "onnx", "model.onnx"), xlmr=False)
        # The peer in bench/encoder-peer.py rebuilds the same weights from this and the seed.
        write_json(os.path.join(folder, "bench.json"), {"config": cfg, "seed": SEED, "std": 0.02})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "..", "test", "fixtures", "encoders"))
    parser.add_argument("--bench", metavar="DIR", help="write the benchmark-sized models to DIR instead")
    parser.add_argument("--hidden-states", action="store_true",
                        help="only write hidden-states.json next to the existing fixtures (weights rebuilt from the seed)")
    parser.add_argument("--vocab-from", metavar="FILE", help="with --bench: add the commonest words of this text file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.bench:
        build_bench_models(args.bench, args.vocab_from)
        return
    if args.hidden_states:
        build_hidden_states(args.out)
        return
    reference = {"texts": TEXTS}
    build_wordpiece_fixtures(args.out, reference)
    build_unigram_fixture(args.out, reference)
    write_json(os.path.join(args.out, "reference.json"), reference)
    build_hidden_states(args.out)


if __name__ == "__main__":
    main()
