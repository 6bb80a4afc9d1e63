// "Painel" tab of the /config-v8 console (pt-BR): health, V8 token, recent flows, batches with live
// progress (server-sent events), CSV upload and results download. Plain browser JavaScript, no inline
// code (strict CSP); it talks to the server through console.js (window.ConsoleV8), which holds the
// CSRF token and handles an expired session.

(() => {
  const BASE = '/config-v8';
  const ATUALIZAR_MS = 5000;
  /** Browsers allow ~6 connections per host over HTTP/1.1: the page keeps most of them for its calls. */
  const MAX_FONTES = 3;

  const SITUACAO_LOTE = {
    queued: 'Na fila',
    running: 'Em andamento',
    completed: 'Concluído',
    cancelled: 'Cancelado',
  };
  const SITUACAO_FLUXO = {
    queued: 'Na fila',
    running: 'Em andamento',
    waiting_margin: 'Aguardando margem',
    waiting_quota: 'Aguardando cota da V8',
    completed: 'Concluído',
  };
  const RESULTADO = {
    simulated: 'Simulado',
    no_margin: 'Sem margem',
    needs_data: 'Corrigir dados',
    blocked_by_worker: 'Bloqueado pelo trabalhador',
    failed: 'Falhou',
  };
  const ETAPA = {
    opportunity: 'oportunidade no Kentro',
    lead: 'dados do cliente',
    consult: 'consulta na V8',
    authorize: 'autorização da consulta',
    margin: 'espera da margem',
    simulation: 'simulação',
    crm: 'atualização do CRM',
  };
  /** [key, singular, plural] */
  const CONTAGENS = [
    ['simulated', 'simulado', 'simulados'],
    ['no_margin', 'sem margem', 'sem margem'],
    ['needs_data', 'a corrigir dados', 'a corrigir dados'],
    ['blocked_by_worker', 'bloqueado pelo trabalhador', 'bloqueados pelo trabalhador'],
    ['failed', 'com falha', 'com falha'],
    ['invalid', 'inválido', 'inválidos'],
    ['cancelled', 'cancelado', 'cancelados'],
    ['running', 'em andamento', 'em andamento'],
    ['pending', 'aguardando', 'aguardando'],
  ];

  const estado = {
    ativo: false,
    timer: 0,
    carregando: false,
    ultimaInteracao: Date.now(),
    pausado: false,
    fontes: new Map(),
  };
  const el = (id) => document.getElementById(id);
  const api = () => window.ConsoleV8;

  // ---------------------------------------------------------------------------------------------
  // Formatting (pt-BR)
  // ---------------------------------------------------------------------------------------------
  const dataHora = new Intl.DateTimeFormat('pt-BR', { dateStyle: 'short', timeStyle: 'short' });
  const hora = new Intl.DateTimeFormat('pt-BR', { hour: '2-digit', minute: '2-digit' });
  const horaSeg = new Intl.DateTimeFormat('pt-BR', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const moeda = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });
  const numero = new Intl.NumberFormat('pt-BR');

  function quando(iso) {
    return iso ? dataHora.format(new Date(iso)) : '—';
  }

  function duracao(segundos) {
    const s = Math.max(0, Math.round(segundos));
    if (s < 60) return `${s} s`;
    const min = Math.floor(s / 60);
    if (min < 60) return `${min} min`;
    const h = Math.floor(min / 60);
    if (h < 48) return `${h} h ${min % 60} min`;
    return `${Math.floor(h / 24)} dias ${h % 24} h`;
  }

  function cpf(digitos) {
    const d = String(digitos || '');
    return d.length === 11 ? `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9)}` : d;
  }

  function criar(tag, classe, texto) {
    const e = document.createElement(tag);
    if (classe) e.className = classe;
    if (texto !== undefined) e.textContent = texto;
    return e;
  }

  function selo(texto, tipo) {
    return criar('span', `selo selo-${tipo}`, texto);
  }

  // ---------------------------------------------------------------------------------------------
  // Health, token, flows
  // ---------------------------------------------------------------------------------------------
  function desenharSaude(saude) {
    const lista = el('painel-saude');
    lista.replaceChildren();
    const linhas = [
      ['Situação', saude.status === 'ok' ? 'No ar' : saude.status],
      ['Versão', saude.version],
      ['Tempo no ar', `${duracao(saude.uptimeS)} (desde ${quando(saude.startedAt)})`],
    ];
    for (const [rotulo, valor] of linhas) lista.append(criar('dt', '', rotulo), criar('dd', '', valor));
  }

  function desenharToken(token) {
    const principal = el('painel-token');
    const detalhe = el('painel-token-detalhe');
    principal.replaceChildren();
    if (!token) {
      principal.append(selo('Sem acesso à V8', 'erro'));
      detalhe.textContent = 'Este serviço foi iniciado sem a integração com a V8.';
      return;
    }
    const usuario = token.username ? `usuário ${token.username}` : 'usuário V8 não definido';
    if (token.held && token.expiresAt) {
      const fim = new Date(token.expiresAt);
      const mesmoDia = fim.toDateString() === new Date().toDateString();
      principal.append(
        selo('Válido', 'ok'),
        ` até ${hora.format(fim)}${mesmoDia ? '' : ` de ${fim.toLocaleDateString('pt-BR')}`}`,
      );
      const origem = token.source === 'file' ? 'lido do volume de dados' : 'obtido da V8 por este serviço';
      detalhe.textContent = `${usuario} · ${origem}`;
    } else {
      principal.append(selo('Sem token', 'neutro'));
      detalhe.textContent = `${usuario} · um token novo é pedido à V8 na próxima consulta`;
    }
  }

  function resultadoDoFluxo(f) {
    if (f.outcome) return selo(RESULTADO[f.outcome] || f.outcome, f.outcome === 'simulated' ? 'ok' : 'erro');
    return selo('—', 'neutro');
  }

  function motivoDoFluxo(f) {
    if (f.reason) return f.reason;
    if (f.active && f.lastError) return `tentando de novo: ${f.lastError}`;
    if (f.status === 'queued') return 'aguardando a vez';
    if (f.active && f.currentStep) return `etapa: ${ETAPA[f.currentStep] || f.currentStep}`;
    return '—';
  }

  function desenharFluxos(secao) {
    const corpo = el('tabela-fluxos');
    corpo.replaceChildren();
    if (!secao.available || secao.items.length === 0) {
      const tr = criar('tr');
      const td = criar(
        'td',
        'vazio',
        secao.available ? 'Nenhum fluxo ainda.' : 'Fluxos indisponíveis neste serviço.',
      );
      td.colSpan = 5;
      tr.append(td);
      corpo.append(tr);
      return;
    }
    for (const f of secao.items) {
      const tr = criar('tr');
      tr.dataset.fluxo = f.id;
      const inicio = criar('td', 'nowrap', quando(f.createdAt));
      const doc = criar('td', 'nowrap mono', cpf(f.cpf));
      if (f.fromBatch) doc.append(' ', selo('lote', 'neutro'));
      const situacao = criar('td', 'nowrap', SITUACAO_FLUXO[f.status] || f.status);
      const resultado = criar('td', 'nowrap');
      resultado.append(resultadoDoFluxo(f));
      if (f.margin !== null && f.margin !== undefined) {
        resultado.append(criar('span', 'sub', `margem ${moeda.format(f.margin)}`));
      }
      if (f.consultId) {
        const link = criar('a', 'sub', 'evidências do consentimento');
        link.href = `/config-v8/evidencias/${encodeURIComponent(f.consultId)}`;
        link.target = '_blank';
        link.rel = 'noopener';
        resultado.append(link);
      }
      const motivo = criar('td', 'motivo', motivoDoFluxo(f));
      tr.append(inicio, doc, situacao, resultado, motivo);
      corpo.append(tr);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Batches
  // ---------------------------------------------------------------------------------------------
  /** Nothing will change any more (a cancelled batch still finishes the CPFs already running). */
  const terminado = (lote) =>
    lote.status === 'completed' || (lote.status === 'cancelled' && lote.finishedAt !== null);

  function linhaDoLote(id) {
    const lista = el('lista-lotes');
    let item = lista.querySelector(`[data-lote="${CSS.escape(id)}"]`);
    if (item) return item;
    item = criar('div', 'lote');
    item.dataset.lote = id;
    const topo = criar('div', 'lote-topo');
    topo.append(criar('strong', 'lote-titulo'), criar('span', 'lote-situacao'));
    const barra = criar('progress', 'lote-barra');
    barra.max = 100;
    barra.value = 0;
    barra.id = `barra-${id}`;
    const rotulo = criar('label', 'lote-progresso');
    rotulo.htmlFor = barra.id;
    const contagens = criar('p', 'lote-contagens');
    const recusadas = criar('details', 'lote-recusadas');
    recusadas.hidden = true;
    const acoes = criar('div', 'botoes lote-acoes');
    const baixar = criar('a', 'botao secundario pequeno lote-baixar', 'Baixar resultados (CSV)');
    baixar.href = `${BASE}/api/batches/${encodeURIComponent(id)}/results.csv`;
    baixar.setAttribute('download', '');
    const cancelar = criar('button', 'pequeno perigo lote-cancelar', 'Cancelar lote');
    cancelar.type = 'button';
    cancelar.addEventListener('click', () => cancelarLote(id));
    acoes.append(baixar, cancelar);
    item.append(topo, rotulo, barra, contagens, recusadas, acoes);
    lista.append(item);
    return item;
  }

  function desenharLote(lote) {
    const item = linhaDoLote(lote.id);
    item.dataset.situacao = lote.status;
    item.querySelector('.lote-titulo').textContent = `Lote de ${quando(lote.createdAt)}`;
    const situacao = item.querySelector('.lote-situacao');
    situacao.replaceChildren(
      selo(
        SITUACAO_LOTE[lote.status] || lote.status,
        lote.status === 'completed' ? 'ok' : lote.status === 'cancelled' ? 'erro' : 'andamento',
      ),
    );
    // Rounded down: 100 % only when everything is processed.
    const pct = Math.max(0, Math.min(100, Math.floor(lote.percent ?? 0)));
    const barra = item.querySelector('progress');
    barra.value = pct;
    barra.dataset.percent = String(pct);
    let progresso = `${numero.format(lote.processed)} de ${numero.format(lote.total)} processados (${pct}%)`;
    if (!terminado(lote) && lote.etaS !== null && lote.etaS !== undefined) {
      progresso += ` · faltam cerca de ${duracao(lote.etaS)}`;
    }
    if (!terminado(lote) && lote.waitingQuota) {
      // V8's consult quota is used up: the flows wait (never fail) and resume by themselves.
      progresso += ` · ${numero.format(lote.waitingQuota.items)} aguardando a cota de consultas da V8 (retoma ${quando(lote.waitingQuota.resumeAt)})`;
    }
    if (lote.finishedAt) progresso += ` · terminou ${quando(lote.finishedAt)}`;
    item.querySelector('.lote-progresso').textContent = progresso;
    item.dataset.aguardandoCota = lote.waitingQuota && !terminado(lote) ? 'sim' : 'nao';

    const contagens = item.querySelector('.lote-contagens');
    contagens.replaceChildren();
    for (const [chave, um, varios] of CONTAGENS) {
      const n = lote.counts?.[chave] ?? 0;
      if (n === 0 && chave !== 'simulated') continue;
      contagens.append(
        criar('span', `contagem contagem-${chave}`, `${numero.format(n)} ${n === 1 ? um : varios}`),
      );
    }

    // The server sends the first lines only; the results CSV has them all.
    const recusadas = item.querySelector('.lote-recusadas');
    const linhas = lote.rejected || [];
    const total = lote.rejectedTotal ?? linhas.length;
    recusadas.hidden = total === 0;
    if (total > 0 && recusadas.dataset.n !== String(total)) {
      recusadas.dataset.n = String(total);
      const lista = criar('ul');
      for (const r of linhas) lista.append(criar('li', '', `linha ${r.line}: “${r.value}” — ${r.reason}`));
      if (total > linhas.length) {
        lista.append(
          criar('li', '', `… e mais ${numero.format(total - linhas.length)} (veja o CSV de resultados)`),
        );
      }
      const plural = total === 1 ? '' : 's';
      recusadas.replaceChildren(
        criar('summary', '', `${numero.format(total)} linha${plural} recusada${plural} no envio`),
        lista,
      );
    }
    item.querySelector('.lote-cancelar').hidden = lote.status !== 'queued' && lote.status !== 'running';
  }

  function desenharLotes(secao) {
    const lista = el('lista-lotes');
    if (!secao.available) {
      lista.replaceChildren(criar('p', 'dica', 'Lotes indisponíveis neste serviço.'));
      el('enviar-lote').disabled = true;
      return;
    }
    el('enviar-lote').disabled = false;
    const ids = new Set(secao.items.map((l) => l.id));
    for (const antigo of lista.querySelectorAll('[data-lote]')) {
      if (!ids.has(antigo.dataset.lote)) antigo.remove();
    }
    for (const p of lista.querySelectorAll('p.dica')) p.remove();
    for (const lote of secao.items) {
      // A live stream may be ahead of this snapshot: never move a bar backwards.
      const atual = lista.querySelector(`[data-lote="${CSS.escape(lote.id)}"] progress`);
      const vivo = estado.fontes.has(lote.id);
      if (!(vivo && atual && Number(atual.dataset.percent) > (lote.percent ?? 0))) desenharLote(lote);
    }
    // Newest first, as the server lists them.
    for (const lote of secao.items) lista.append(linhaDoLote(lote.id));
    if (secao.items.length === 0) lista.append(criar('p', 'dica', 'Nenhum lote enviado ainda.'));
    acompanhar(secao.items);
  }

  /** Live progress for the running batches (a few at a time); the periodic read covers the rest. */
  function acompanhar(lotes) {
    for (const lote of lotes) {
      if (terminado(lote) || estado.fontes.has(lote.id) || estado.fontes.size >= MAX_FONTES) continue;
      const fonte = new EventSource(`${BASE}/api/batches/${encodeURIComponent(lote.id)}/events`);
      estado.fontes.set(lote.id, fonte);
      const fechar = () => {
        fonte.close();
        estado.fontes.delete(lote.id);
      };
      fonte.addEventListener('progress', (evento) => {
        let visto;
        try {
          visto = JSON.parse(evento.data);
        } catch {
          return;
        }
        desenharLote(visto);
        if (terminado(visto)) {
          fechar();
          void carregar(); // the flows of the batch show their outcomes
        }
      });
      fonte.addEventListener('done', fechar);
      fonte.addEventListener('error', () => {
        // Closed for good (401, 404): the next periodic read decides what to do.
        if (fonte.readyState === EventSource.CLOSED) estado.fontes.delete(lote.id);
      });
    }
  }

  function fecharFontes() {
    for (const fonte of estado.fontes.values()) fonte.close();
    estado.fontes.clear();
  }

  function resultadoLote(mensagem, tipo) {
    const box = el('resultado-lote');
    box.replaceChildren();
    if (typeof mensagem === 'string') box.textContent = mensagem;
    else if (mensagem) box.append(...mensagem);
    box.className = `resultado ${tipo || ''}`;
    box.hidden = !mensagem;
  }

  async function enviarLote(evento) {
    evento.preventDefault();
    const arquivo = el('arquivo-lote').files[0];
    if (!arquivo) {
      resultadoLote('Escolha um arquivo CSV com um CPF por linha.', 'erro');
      return;
    }
    const botao = el('enviar-lote');
    botao.disabled = true;
    resultadoLote(`Enviando ${arquivo.name}…`, '');
    try {
      const texto = await arquivo.text();
      const q = new URLSearchParams();
      if (el('lote-criar').checked) q.set('createOpportunity', '1');
      if (el('lote-whatsapp').checked) q.set('sendWhatsapp', '1');
      const sufixo = q.size > 0 ? `?${q}` : '';
      const res = await api().chamar('POST', `/api/batches${sufixo}`, texto, 'text/csv');
      if (res.status !== 202) {
        if (res.status !== 401) resultadoLote(api().mensagemDeErro(res), 'erro');
        return;
      }
      const r = res.data;
      const partes = [
        `Lote iniciado com ${numero.format(r.accepted)} CPF${r.accepted === 1 ? '' : 's'}`,
        r.rejected.length > 0
          ? `; ${r.rejected.length} linha${r.rejected.length === 1 ? '' : 's'} recusada${r.rejected.length === 1 ? '' : 's'} (veja abaixo).`
          : '.',
      ];
      resultadoLote(partes.join(''), r.accepted > 0 ? 'ok' : 'erro');
      el('form-lote').reset();
      await carregar();
    } catch {
      resultadoLote('Não foi possível ler o arquivo escolhido.', 'erro');
    } finally {
      botao.disabled = false;
    }
  }

  async function cancelarLote(id) {
    if (!window.confirm('Cancelar este lote? Os CPFs que ainda não começaram não serão processados.')) return;
    const res = await api().chamar('POST', `/api/batches/${encodeURIComponent(id)}/cancel`);
    if (res.status === 200) {
      desenharLote(res.data);
      resultadoLote('Lote cancelado.', 'ok');
    } else if (res.status !== 401) resultadoLote(api().mensagemDeErro(res), 'erro');
  }

  // ---------------------------------------------------------------------------------------------
  // Parked CRM updates ("Pendências do CRM")
  // ---------------------------------------------------------------------------------------------
  const TIPO_CRM = { note: 'Nota', wa_template: 'WhatsApp', stage: 'Etapa', update: 'Valor e campos' };
  const MOTIVO_CRM = {
    refused: 'Recusado pelo Kentro',
    unknown_outcome: 'Sem confirmação',
    interrupted: 'Envio interrompido',
  };
  const EXPLICACAO_CRM = {
    refused: 'corrija a causa e reenvie',
    unknown_outcome: 'o Kentro não confirmou: pode ter sido aplicado',
    interrupted: 'o serviço parou durante o envio: pode ter sido aplicado',
  };

  function conteudoCrm(item) {
    const p = item.payload || {};
    if (item.kind === 'note') return String(p.text || '').slice(0, 160);
    if (item.kind === 'wa_template') {
      return `para ${p.number || '?'}: ${(p.params || []).join(' · ')}`;
    }
    if (item.kind === 'stage') return `etapa ${p.stage || ''} (${p.stageId ?? '?'})`;
    const partes = [];
    if (p.value !== undefined) partes.push(`valor ${moeda.format(p.value)}`);
    if (p.fields) partes.push(`campos ${Object.keys(p.fields).join(', ')}`);
    return partes.join('; ');
  }

  function resultadoPendencias(mensagem, tipo) {
    const box = el('resultado-pendencias');
    box.textContent = mensagem || '';
    box.className = `resultado ${tipo || ''}`;
    box.hidden = !mensagem;
  }

  function desenharPendencias(lista) {
    const corpo = el('tabela-pendencias');
    corpo.replaceChildren();
    if (lista.length === 0) {
      const tr = criar('tr');
      const td = criar('td', 'vazio', 'Nenhuma pendência: tudo foi entregue ao Kentro ou está na fila.');
      td.colSpan = 6;
      tr.append(td);
      corpo.append(tr);
      return;
    }
    for (const item of lista) {
      const tr = criar('tr');
      tr.dataset.outbox = String(item.id);
      const motivo = criar('td', 'motivo');
      motivo.append(selo(MOTIVO_CRM[item.parkReason] || item.parkReason || '—', 'erro'));
      if (EXPLICACAO_CRM[item.parkReason])
        motivo.append(criar('span', 'sub', EXPLICACAO_CRM[item.parkReason]));
      if (item.lastError) motivo.append(criar('span', 'sub', item.lastError));
      const acoes = criar('td', 'nowrap');
      const reenviar = criar('button', 'pequeno secundario crm-reenviar', 'Reenviar');
      reenviar.type = 'button';
      reenviar.addEventListener('click', () => agirPendencia(item, 'retry'));
      const descartar = criar('button', 'pequeno perigo crm-descartar', 'Descartar');
      descartar.type = 'button';
      descartar.addEventListener('click', () => agirPendencia(item, 'drop'));
      acoes.append(reenviar, ' ', descartar);
      tr.append(
        criar('td', 'nowrap', quando(item.parkedAt || item.updatedAt)),
        criar('td', 'nowrap', TIPO_CRM[item.kind] || item.kind),
        criar('td', 'nowrap mono', String(item.opportunityId)),
        criar('td', 'motivo', conteudoCrm(item)),
        motivo,
        acoes,
      );
      corpo.append(tr);
    }
  }

  async function carregarPendencias() {
    const res = await api().chamar('GET', '/api/outbox');
    if (res.status === 200) desenharPendencias(res.data.items);
    else if (res.status !== 401) resultadoPendencias(api().mensagemDeErro(res), 'erro');
  }

  async function agirPendencia(item, acao) {
    const tipo = (TIPO_CRM[item.kind] || 'item').toLowerCase();
    const incerto = item.parkReason !== 'refused';
    const pergunta =
      acao === 'drop'
        ? `Descartar esta ${tipo} da oportunidade ${item.opportunityId}? Ela não será enviada ao Kentro.`
        : incerto
          ? `O Kentro pode já ter recebido esta ${tipo}. Confira a oportunidade ${item.opportunityId} no Kentro antes: reenviar o que já chegou faz o cliente receber duas vezes. Reenviar mesmo assim?`
          : `Reenviar esta ${tipo} ao Kentro?`;
    if (!window.confirm(pergunta)) return;
    const res = await api().chamar('POST', `/api/outbox/${encodeURIComponent(item.id)}/${acao}`);
    if (res.status === 200) {
      resultadoPendencias(acao === 'drop' ? 'Item descartado.' : 'Item de volta na fila de envio.', 'ok');
    } else if (res.status !== 401) {
      resultadoPendencias(api().mensagemDeErro(res), 'erro');
    }
    await carregarPendencias();
  }

  // ---------------------------------------------------------------------------------------------
  // Reading and refreshing
  // ---------------------------------------------------------------------------------------------
  async function carregar() {
    if (!estado.ativo || estado.carregando) return;
    estado.carregando = true;
    try {
      const res = await api().chamar('GET', '/api/dashboard');
      if (!estado.ativo) return;
      const rodape = el('painel-atualizado');
      if (res.status !== 200) {
        if (res.status !== 401) {
          rodape.textContent = `Falha ao atualizar: ${api().mensagemDeErro(res)}`;
          rodape.className = 'dica erro-texto';
        }
        return;
      }
      const d = res.data;
      desenharSaude(d.health);
      desenharToken(d.token);
      desenharLotes(d.batches);
      desenharFluxos(d.flows);
      await carregarPendencias();
      rodape.className = 'dica';
      rodape.textContent = estado.pausado
        ? `Atualizado às ${horaSeg.format(new Date(d.generatedAt))}. Atualização automática pausada por inatividade.`
        : `Atualizado às ${horaSeg.format(new Date(d.generatedAt))}; atualiza sozinho a cada ${ATUALIZAR_MS / 1000} s.`;
    } finally {
      estado.carregando = false;
    }
  }

  function tique() {
    if (!estado.ativo) return;
    // Automatic reads (and open streams) would keep the session alive forever: they stop when nobody
    // is using the page, visible or not.
    if (Date.now() - estado.ultimaInteracao > api().inatividadeMs()) {
      if (!estado.pausado) {
        estado.pausado = true;
        fecharFontes();
        el('painel-atualizado').textContent +=
          ' Atualização automática pausada por inatividade: clique em “Atualizar agora”.';
      }
      return;
    }
    if (document.visibilityState === 'visible') void carregar();
  }

  function interagiu() {
    estado.ultimaInteracao = Date.now();
    if (estado.pausado && estado.ativo) {
      estado.pausado = false;
      void carregar();
    }
  }

  function ativar() {
    if (estado.ativo) return;
    estado.ativo = true;
    estado.ultimaInteracao = Date.now();
    estado.pausado = false;
    estado.timer = window.setInterval(tique, ATUALIZAR_MS);
    void carregar();
  }

  function desativar() {
    estado.ativo = false;
    window.clearInterval(estado.timer);
    fecharFontes();
  }

  function mostrarArquivo() {
    const arquivo = el('arquivo-lote').files[0];
    el('arquivo-nome').textContent = arquivo
      ? `${arquivo.name} (${numero.format(Math.ceil(arquivo.size / 1024))} KB)`
      : 'Nenhum arquivo escolhido';
  }

  function iniciar() {
    el('form-lote').addEventListener('submit', enviarLote);
    el('arquivo-lote').addEventListener('change', mostrarArquivo);
    el('form-lote').addEventListener('reset', () => window.setTimeout(mostrarArquivo));
    el('painel-atualizar').addEventListener('click', () => {
      interagiu();
      void carregar();
    });
    for (const tipo of ['pointerdown', 'keydown', 'wheel']) {
      document.addEventListener(tipo, interagiu, { passive: true });
    }
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') tique();
    });
  }

  window.ConsoleV8.registrar({ aba: 'painel', ativar, desativar });
  document.addEventListener('DOMContentLoaded', iniciar);
})();
