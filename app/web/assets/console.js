// Console /config-v8 (pt-BR). Plain browser JavaScript, no build step, no inline code (strict CSP).
// Every value shown comes already masked from the server; nothing here ever holds a secret except
// what the operator types into the form before sending it.

(() => {
  const BASE = '/config-v8';
  const ORIGEM = { file: 'arquivo', override: 'console', default: 'padrão' };
  const CREDENCIAIS = [
    'V8_USERNAME',
    'V8_PASSWORD',
    'V8_CLIENT_ID',
    'V8_PROVIDER',
    'V8_AUDIENCE',
    'V8_AUTH_URL',
    'V8_BASE_URL',
  ];
  // Shown as they are in the form, so only a changed value is sent.
  const PREENCHIDOS = ['V8_PROVIDER', 'V8_AUDIENCE', 'V8_AUTH_URL', 'V8_BASE_URL'];
  const RESUMO = [
    ['V8_USERNAME', 'Usuário V8'],
    ['V8_PASSWORD', 'Senha V8'],
    ['V8_CLIENT_ID', 'Client ID V8'],
    ['V8_PROVIDER', 'Bancarizadora'],
    ['V8_AUTH_URL', 'URL de autenticação V8'],
    ['V8_BASE_URL', 'URL da API V8'],
    ['KENTRO_BASE_URL', 'URL do Kentro'],
    ['KENTRO_API_KEY', 'Chave da API Kentro'],
    ['KENTRO_QUEUE_ID', 'Fila Kentro'],
    ['KENTRO_PIPELINE_ID', 'Pipeline Kentro'],
    ['KENTRO_STAGE_MARGIN_FOUND', 'Etapa: margem encontrada'],
    ['KENTRO_STAGE_NO_MARGIN', 'Etapa: sem margem'],
    ['KENTRO_STAGE_SIMULATED', 'Etapa: simulado'],
    ['KENTRO_STAGE_PROPOSAL', 'Etapa: proposta'],
    ['KENTRO_STAGE_PAID', 'Etapa: pago'],
    ['KENTRO_STAGE_FAILED', 'Etapa: falha'],
  ];

  const estado = { csrf: '', config: null, aba: 'configuracao' };
  const el = (id) => document.getElementById(id);
  const ABAS = ['configuracao', 'painel'];
  /** Other scripts of the page (painel.js) register here: { aba, ativar(), desativar() }. */
  const modulos = [];

  function texto(valor) {
    if (valor === null || valor === undefined || valor === '') return '—';
    if (typeof valor === 'object') return JSON.stringify(valor);
    return String(valor);
  }

  function aviso(mensagem, tipo) {
    const box = el('aviso');
    box.textContent = mensagem || '';
    box.className = `aviso ${tipo || ''}`;
    box.hidden = !mensagem;
  }

  function resultado(mensagem, tipo) {
    const box = el('resultado-credenciais');
    box.textContent = mensagem || '';
    box.className = `resultado ${tipo || ''}`;
    box.hidden = !mensagem;
  }

  function mensagemDeErro(resposta) {
    const erro = resposta.data?.error;
    if (!erro) return `erro inesperado (HTTP ${resposta.status})`;
    const campos = (erro.fields || []).map((f) => `${f.field}: ${f.reason}`).join('; ');
    return campos ? `Dados inválidos: ${campos}` : erro.message;
  }

  /** `tipo`: send `corpo` as it is with that content type (a CSV file) instead of as JSON. */
  async function chamar(metodo, caminho, corpo, tipo) {
    const headers = { accept: 'application/json' };
    if (metodo !== 'GET') headers['x-csrf-token'] = estado.csrf;
    if (corpo !== undefined) headers['content-type'] = tipo || 'application/json';
    let res;
    try {
      res = await fetch(BASE + caminho, {
        method: metodo,
        headers,
        body: corpo === undefined ? undefined : tipo ? corpo : JSON.stringify(corpo),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch {
      return { status: 0, data: { error: { message: 'sem conexão com o servidor' } } };
    }
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    const resposta = { status: res.status, data };
    if (res.status === 401 && caminho !== '/login') {
      await carregarSessao();
      mostrarEntrada('Sua sessão expirou: entre novamente.');
    }
    return resposta;
  }

  function ocupado(sim) {
    for (const id of ['testar', 'salvar', 'reverter']) el(id).disabled = sim;
  }

  function mostrarEntrada(mensagem) {
    for (const m of modulos) m.desativar();
    el('entrar').hidden = false;
    for (const aba of ABAS) el(aba).hidden = true;
    el('abas').hidden = true;
    el('sair').hidden = true;
    aviso(mensagem, mensagem ? 'erro' : '');
    el('senha-console').focus();
  }

  function mostrarConsole() {
    el('entrar').hidden = true;
    el('abas').hidden = false;
    el('sair').hidden = false;
    mostrarAba(estado.aba);
  }

  /** The tab also lives in the address (#painel), so a reload comes back to it. */
  function mostrarAba(nome) {
    const aba = ABAS.includes(nome) ? nome : 'configuracao';
    estado.aba = aba;
    for (const botao of el('abas').querySelectorAll('button[data-aba]')) {
      if (botao.dataset.aba === aba) botao.setAttribute('aria-current', 'page');
      else botao.removeAttribute('aria-current');
    }
    for (const outra of ABAS) el(outra).hidden = outra !== aba;
    const hash = aba === 'configuracao' ? '' : `#${aba}`;
    if (window.location.hash !== hash) {
      window.history.replaceState(null, '', window.location.pathname + window.location.search + hash);
    }
    for (const m of modulos) {
      if (m.aba === aba) m.ativar();
      else m.desativar();
    }
  }

  async function carregarSessao() {
    const res = await fetch(`${BASE}/api/session`, { credentials: 'same-origin', cache: 'no-store' });
    const data = await res.json();
    estado.csrf = data.csrfToken;
    if (data.idleTimeoutS) estado.inatividadeMs = data.idleTimeoutS * 1000;
    return data;
  }

  function valorDe(chave) {
    const item = estado.config?.keys.find((k) => k.key === chave);
    return item ? item.value : null;
  }

  function desenharResumo() {
    const lista = el('resumo');
    lista.replaceChildren();
    for (const [chave, rotulo] of RESUMO) {
      const item = estado.config.keys.find((k) => k.key === chave);
      if (!item) continue;
      const dt = document.createElement('dt');
      dt.textContent = rotulo;
      const dd = document.createElement('dd');
      dd.textContent = texto(item.value);
      if (item.source === 'override') dd.textContent += ' (console)';
      lista.append(dt, dd);
    }
  }

  function desenharTabela() {
    const corpo = el('tabela-chaves');
    corpo.replaceChildren();
    for (const item of estado.config.keys) {
      const tr = document.createElement('tr');
      const chave = document.createElement('td');
      chave.textContent = item.key;
      chave.title = item.doc;
      const valor = document.createElement('td');
      valor.className = 'valor';
      valor.textContent = texto(item.value);
      const origem = document.createElement('td');
      const selo = document.createElement('span');
      selo.className = `origem origem-${item.source}`;
      selo.textContent = ORIGEM[item.source] || item.source;
      origem.append(selo);
      const acoes = document.createElement('td');
      if (item.source === 'override') {
        const botao = document.createElement('button');
        botao.type = 'button';
        botao.className = 'pequeno perigo';
        botao.textContent = 'Reverter';
        botao.dataset.chave = item.key;
        botao.addEventListener('click', () => reverter(item.key));
        acoes.append(botao);
      }
      tr.append(chave, valor, origem, acoes);
      corpo.append(tr);
    }
    const c = estado.config;
    el('arquivos').textContent =
      `Arquivo de configuração: ${c.configFile}. Valores do console: ${c.overridesFile}` +
      (c.overridesUpdatedAt
        ? ` (salvos em ${new Date(c.overridesUpdatedAt).toLocaleString('pt-BR')}).`
        : ' (nenhum).');
  }

  function prepararFormulario() {
    const form = el('form-credenciais');
    form.reset();
    for (const chave of PREENCHIDOS) {
      const v = valorDe(chave);
      form.elements[chave].value = v === null ? '' : String(v);
    }
    const usuario = valorDe('V8_USERNAME');
    form.elements.V8_USERNAME.placeholder = usuario ? `atual: ${usuario} (em branco mantém)` : 'não definido';
    const senha = valorDe('V8_PASSWORD');
    form.elements.V8_PASSWORD.placeholder =
      senha === 'definido' ? 'definida (em branco mantém a atual)' : 'não definida';
    const clientId = valorDe('V8_CLIENT_ID');
    form.elements.V8_CLIENT_ID.placeholder = clientId
      ? `atual: ${clientId} (em branco mantém)`
      : 'não definido';
  }

  function desenhar(config) {
    estado.config = config;
    desenharResumo();
    desenharTabela();
    prepararFormulario();
  }

  /** Only what the operator typed or changed: an empty field keeps the current value. */
  function valoresDoFormulario() {
    const form = el('form-credenciais');
    const corpo = {};
    for (const chave of CREDENCIAIS) {
      const v = form.elements[chave].value.trim();
      if (v === '') continue;
      if (PREENCHIDOS.includes(chave) && v === String(valorDe(chave) ?? '')) continue;
      corpo[chave] = chave === 'V8_PASSWORD' ? form.elements[chave].value : v;
    }
    return corpo;
  }

  async function carregarConfig() {
    const res = await chamar('GET', '/api/config');
    if (res.status === 200) desenhar(res.data);
    else if (res.status !== 401) aviso(mensagemDeErro(res), 'erro');
  }

  async function entrar(evento) {
    evento.preventDefault();
    const campo = el('senha-console');
    const res = await chamar('POST', '/login', { password: campo.value });
    campo.value = '';
    if (res.status === 200) {
      estado.csrf = res.data.csrfToken;
      aviso('', '');
      mostrarConsole();
      await carregarConfig();
      return;
    }
    if (res.status === 403) await carregarSessao();
    aviso(mensagemDeErro(res), 'erro');
  }

  async function sair() {
    await chamar('POST', '/logout');
    await carregarSessao();
    estado.config = null;
    mostrarEntrada('');
    aviso('Você saiu do console.', 'ok');
  }

  async function testar() {
    ocupado(true);
    resultado('Testando conexão com a V8…', '');
    try {
      const res = await chamar('POST', '/api/test', valoresDoFormulario());
      if (res.status !== 200) resultado(mensagemDeErro(res), 'erro');
      else if (res.data.ok) {
        const horas = Math.round(res.data.expiresIn / 360) / 10;
        resultado(`Conexão OK: a V8 emitiu um token válido por ${horas} h. Nada foi salvo.`, 'ok');
      } else resultado(`Falhou: ${String(res.data.message).replace(/\.+$/, '')}. Nada foi salvo.`, 'erro');
    } finally {
      ocupado(false);
    }
  }

  async function salvar(evento) {
    evento.preventDefault();
    const corpo = valoresDoFormulario();
    if (Object.keys(corpo).length === 0) {
      resultado('Nenhum campo alterado: nada a salvar.', 'erro');
      return;
    }
    ocupado(true);
    try {
      const res = await chamar('POST', '/api/credentials', corpo);
      if (res.status === 200) {
        desenhar(res.data.config);
        resultado(`Salvo e aplicado: ${res.data.saved.join(', ')}.`, 'ok');
      } else resultado(mensagemDeErro(res), 'erro');
    } finally {
      ocupado(false);
    }
  }

  async function reverter(chave) {
    const pergunta = chave
      ? `Voltar ${chave} ao valor do arquivo de configuração?`
      : 'Descartar todos os valores salvos pelo console e voltar ao arquivo de configuração?';
    if (!window.confirm(pergunta)) return;
    ocupado(true);
    try {
      const res = await chamar(
        'DELETE',
        chave ? `/api/credentials/${encodeURIComponent(chave)}` : '/api/credentials',
      );
      if (res.status === 200) {
        desenhar(res.data.config);
        resultado(
          res.data.reverted.length > 0
            ? `Valores do arquivo restaurados: ${res.data.reverted.join(', ')}.`
            : 'Nada a reverter.',
          'ok',
        );
      } else resultado(mensagemDeErro(res), 'erro');
    } finally {
      ocupado(false);
    }
  }

  async function iniciar() {
    el('form-entrar').addEventListener('submit', entrar);
    el('form-credenciais').addEventListener('submit', salvar);
    el('testar').addEventListener('click', testar);
    el('reverter').addEventListener('click', () => reverter());
    el('sair').addEventListener('click', sair);
    for (const botao of el('abas').querySelectorAll('button[data-aba]')) {
      botao.addEventListener('click', () => mostrarAba(botao.dataset.aba));
    }
    estado.aba = window.location.hash.slice(1) || 'configuracao';
    try {
      const sessao = await carregarSessao();
      if (sessao.authenticated) {
        mostrarConsole();
        await carregarConfig();
      } else mostrarEntrada('');
    } catch {
      aviso('Não foi possível falar com o servidor deste cliente.', 'erro');
    }
  }

  window.ConsoleV8 = {
    chamar,
    mensagemDeErro,
    aviso,
    registrar: (modulo) => modulos.push(modulo),
    /** The session's idle time-out: automatic refreshes stop after it, so they never keep it alive. */
    inatividadeMs: () => estado.inatividadeMs || 30 * 60_000,
  };
  document.addEventListener('DOMContentLoaded', iniciar);
})();
