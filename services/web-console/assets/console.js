// Enhancement only: every page works without this file. It checks a BSN with the elfproef as it is typed,
// so a typing error shows before the form is sent (the server checks it again).

function elfproef(value) {
  if (!/^\d{9}$/.test(value)) return false
  let sum = 0
  for (let i = 0; i < 8; i++) sum += Number(value[i]) * (9 - i)
  sum -= Number(value[8])
  return sum % 11 === 0
}

for (const input of document.querySelectorAll('input[data-bsn]')) {
  const message = document.createElement('div')
  message.id = `${input.id}-live`
  message.className = 'utrecht-form-field-error-message'
  message.setAttribute('aria-live', 'polite')
  input.insertAdjacentElement('afterend', message)
  input.setAttribute(
    'aria-describedby',
    `${input.getAttribute('aria-describedby') ?? ''} ${message.id}`.trim(),
  )
  const check = () => {
    const value = input.value.replace(/\s/g, '')
    const wrong = value.length === 9 && !elfproef(value)
    const incomplete = value.length > 0 && value.length !== 9
    message.textContent =
      wrong || (incomplete && document.activeElement !== input) ? input.dataset.bsnMessage : ''
    input.setAttribute('aria-invalid', wrong ? 'true' : 'false')
  }
  input.addEventListener('input', check)
  input.addEventListener('blur', check)
}
